"""Ctrl-C stops the study, not its workers one by one.

A terminal sends Ctrl-C to every process of the foreground group: the study's
worker processes too, each of which would print its own KeyboardInterrupt
traceback, wherever it was (often still importing torch). The workers are
started ignoring it instead; the study itself stops at once, and joblib ends
its workers.
"""

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def workers_ignore_interrupts() -> Iterator[None]:
    """Ignore Ctrl-C while worker processes are started inside the block.

    A process inherits an ignored SIGINT and Python keeps it ignored, so the
    workers started here never see Ctrl-C. Keep the block short (starting
    processes takes a fraction of a second): a Ctrl-C that falls inside it is
    lost. Outside the main thread, where signals cannot be set, it does
    nothing.
    """
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or previous is None:
        yield  # not settable here, or set outside Python: left alone
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
