"""Writing inside a study's folder, never through a link out of it.

A study folder may have been prepared by someone else: a file in it that is a
symbolic link (or a hard link, a second name of a file elsewhere) would have
the study write, truncate or append outside the folder. Every file a study
writes is checked first and opened without following a link, so that nothing
it writes lands outside its folder. The folder itself may be reached through a
link: only the file's own name is checked.
"""

import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path

#: Opening flags that refuse a link as the file's own name (where the system
#: has them; elsewhere the check before opening stands alone).
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _refusal(path: Path, what: str) -> ValueError:
    return ValueError(
        f"{path} is {what}; a study writes only files of its own, inside its "
        "folder: remove it or choose another folder."
    )


def check_writable(path: str | os.PathLike) -> None:
    """Refuse ``path`` if writing it could change a file outside its folder,
    or is not a file: a symbolic link, a hard link, a folder, a device."""
    path = Path(path)
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        raise _refusal(path, f"a symbolic link (to {os.readlink(path)})")
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise _refusal(path, kind)
    if info.st_nlink > 1:
        raise _refusal(
            path, f"a hard link ({info.st_nlink} names of one file, elsewhere too)"
        )


def check_all_writable(folder: str | os.PathLike, names: Iterable[str]) -> None:
    """:func:`check_writable` for every file ``names`` of ``folder``, before
    the first is written."""
    for name in names:
        check_writable(Path(folder) / name)


def open_file(path: str | os.PathLike, flags: int) -> int:
    """``os.open(path, flags)`` that refuses a link; returns the descriptor."""
    path = Path(path)
    check_writable(path)
    try:
        return os.open(path, flags | _NO_FOLLOW, 0o666)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # made a link since the check
            raise _refusal(path, "a symbolic link") from None
        raise


def write_file(path: str | os.PathLike, data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8) to ``path``, replacing what it held."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd = open_file(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    with open(fd, "wb") as f:
        f.write(data)
