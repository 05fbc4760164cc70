"""The ``rnnmemory`` command line: ``rnnmemory assess`` and ``rnnmemory report``.

Defaults and choices come from the library itself (the study's grid, the
estimator's parameters, the registered units, bases and corpora), so the command
line and Python give the same study. Every user error ends the command with one
line on standard error that names the flag as typed, and exit status 2.
"""

import argparse
import inspect
import json
import os
import platform
import re
import shlex
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

import numpy as np
from sklearn.model_selection import train_test_split

from . import __version__, study
from ._composition import COMPOSITIONS
from ._estimator import RecurrentMemoryRegressor
from ._plateau import PLATEAU_TOL
from ._semantic_space import BASES, SemanticEuclideanSpace
from ._torch.devices import resolve_device
from ._torch.registry import UNITS, unit_label
from ._torch.unit_checks import import_unit
from .datasets import CORPORA, load_corpus
from .selection import DEFAULT_TOL
from .study import (
    METADATA_NAME,
    RESULTS_NAME,
    SCHEMA_VERSION,
    StudyResult,
    load_study,
    run_study,
)
from .study._folder import check_all_writable, write_file
from .study._report import REPORT_FILES, plateau_rule, write_report
from .study._schema import VERSION_KEY, read_metadata

_ESTIMATOR_DEFAULTS = RecurrentMemoryRegressor().get_params()

# What the command line chooses itself, where the library leaves it open.
_TEXT_DIM = 64  # points of a text corpus

_EXAMPLES = """\
units: {units}

examples:
  rnnmemory assess
      the vanilla RNN, the LSTM and the GRU at training lengths 5 to 80 on the
      built-in Zipf language, 3 seeds; results in rnnmemory-results/
  rnnmemory assess --units gru,mgu --lengths 10,20,40 --corpus my-text.txt \\
      --output gru-vs-mgu
      two units on a text file of your own
  rnnmemory report rnnmemory-results
      the report and figures of a finished study again, without training
"""


def _flags(message):
    """A library error message with its parameter names as the flags."""
    # Longest names first: "seq_lens entries" before "seq_lens".
    for name, flag in sorted(_FLAGS.items(), key=lambda item: -len(item[0])):
        # Not inside a path, a quoted name or a dotted one.
        message = re.sub(
            rf"(?<![\w\-/.'\"]){re.escape(name)}(?![\w\-/'\"])(?!\.\w)", flag, message
        )
    return message


def _number(convert, accepts, expected):
    """An argparse type: ``convert(text)``, refused unless ``accepts`` it."""

    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not accepts(value):
            raise argparse.ArgumentTypeError(f"expected {expected}; got {text!r}")
        return value

    parse.__name__ = expected  # argparse names the type by it
    return parse


_positive_int = _number(int, lambda value: value >= 1, "a positive integer")
_positive_float = _number(float, lambda value: value > 0, "a positive number")
_share = _number(float, lambda value: 0 < value < 1, "a number in (0, 1)")
_tolerance = _number(float, lambda value: 0 <= value < 1, "a number in [0, 1)")


def _int_list(text, *, positive=True):
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers; got {text!r}"
        ) from None
    if not values:
        raise argparse.ArgumentTypeError("expected at least one integer")
    if positive and min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers; got {text!r}")
    return values


def _seed_list(text):
    values = _int_list(text, positive=False)
    if min(values) < 0:
        raise argparse.ArgumentTypeError(f"expected seeds >= 0; got {text!r}")
    return values


def _unit_list(text):
    units = [u.strip() for u in text.split(",") if u.strip()]
    unknown = [u for u in units if u not in UNITS and ":" not in u]
    if unknown or not units:
        raise argparse.ArgumentTypeError(
            f"unknown unit(s) {unknown}; choose from {sorted(UNITS)} or give "
            "package.module:attribute"
        )
    try:
        return [import_unit(u) for u in units]
    except (TypeError, ValueError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _csv(values):
    return ",".join(map(str, values))


#: The study's grid: run_study's parameter, its flag, parser, default and help.
_GRID_OPTIONS = (
    (
        "units",
        "--units",
        _unit_list,
        study.DEFAULT_UNITS,
        "comma-separated units: built-in names or a unit of your own as "
        "package.module:attribute",
    ),
    ("seq_lens", "--lengths", _int_list, study.DEFAULT_SEQ_LENS, "training lengths k"),
    (
        "hidden_sizes",
        "--hidden-sizes",
        _int_list,
        study.DEFAULT_HIDDEN_SIZES,
        "hidden sizes",
    ),
    ("seeds", "--seeds", _seed_list, study.DEFAULT_SEEDS, "random seeds, one run each"),
)

#: Estimator parameters the command line sets: name, flag, help, argparse options.
_ESTIMATOR_OPTIONS: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    (
        "composition",
        "--composition",
        "how a sequence's semantics is composed",
        {"choices": COMPOSITIONS},
    ),
    ("lr", "--lr", "learning rate of every unit", {"type": _positive_float}),
    ("device", "--device", "torch device; auto picks CUDA when present", {}),
)

#: Library parameter names -> the flags a user types, for error messages.
_FLAGS = {
    **{name: flag for name, flag, *_ in _GRID_OPTIONS},
    **{name: flag for name, flag, *_ in _ESTIMATOR_OPTIONS},
    "unit": "--units",
    "batch_size": "--batch-size",
    "seq_lens entries": "--lengths",
    "hidden_sizes entries": "--hidden-sizes",
    "eval_len": "--eval-len",
    "max_steps": "--max-steps",
    "plateau_tol": "--plateau-tol",
    "max_epochs": "--epochs",
    "n_jobs": "--n-jobs",
    "encoding": "--encoding",
}


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line: no usage block."""

    def error(self, message):
        self.exit(2, f"rnnmemory: error: {' '.join(message.split())}\n")


def _with_default(text, default):
    """An option's help, ending with its default as a user would type it."""
    if isinstance(default, list | tuple):
        default = _csv(default)
    return f"{text} (default: {default})"


def _add_grid_options(assess):
    """The grid of the study; the defaults are the study's."""
    for _, flag, parse, default, text in _GRID_OPTIONS:
        assess.add_argument(
            flag, type=parse, default=list(default), help=_with_default(text, default)
        )
    assess.add_argument(
        "--eval-len",
        type=_positive_int,
        default=None,
        help=_with_default(
            "evaluation window length L every model is measured on",
            "the longest training length",
        ),
    )


def _add_corpus_options(assess):
    """The corpus and its semantic points."""
    assess.add_argument(
        "--corpus",
        default=CORPORA[0],
        help=f"built-in corpus {CORPORA} or a text file (default: %(default)s)",
    )
    assess.add_argument(
        "--n-sequences",
        type=_positive_int,
        default=inspect.signature(load_corpus).parameters["n_sequences"].default,
        help="sequences of the zipf corpus (default: %(default)s)",
    )
    assess.add_argument(
        "--basis",
        choices=BASES,
        help=_with_default("semantic basis", "onehot for zipf, random otherwise"),
    )
    assess.add_argument(
        "--dim",
        type=_positive_int,
        help=_with_default("dimension of a random or cooccurrence basis", _TEXT_DIM),
    )
    assess.add_argument(
        "--encoding",
        help=_with_default(
            "text encoding of a corpus file",
            "UTF-8, or the one its byte-order mark names",
        ),
    )
    for flag, parse, default, text in (
        ("--max-vocab", _positive_int, 2000, "largest vocabulary of a text corpus"),
        ("--test-size", _share, 0.2, "share of sequences held out for measuring"),
    ):
        assess.add_argument(
            flag, type=parse, default=default, help=f"{text} (default: %(default)s)"
        )


def _add_training_options(assess):
    """How every configuration trains; the defaults are the estimator's and, for
    the batch size, the study's."""
    for name, flag, text, options in _ESTIMATOR_OPTIONS:
        default = _ESTIMATOR_DEFAULTS[name]
        shown = default
        if name == "lr":  # the study's own rate per unit, unless given
            default = None
            shown = (
                ", ".join(f"{u} {r:g}" for u, r in study.DEFAULT_LEARNING_RATES.items())
                + f"; other units {_ESTIMATOR_DEFAULTS['lr']:g}"
            )
        assess.add_argument(
            flag, default=default, help=_with_default(text, shown), **options
        )
    assess.add_argument(
        "--batch-size",
        type=_positive_int,
        default=study.DEFAULT_BATCH_SIZE,
        help="windows per update (default: %(default)s)",
    )
    assess.add_argument(
        "--max-steps",
        type=_positive_int,
        help=_with_default(
            "the cap on every configuration's optimizer updates, the same for "
            "every length",
            study.DEFAULT_MAX_STEPS,
        ),
    )
    assess.add_argument(
        "--plateau-tol",
        type=_tolerance,
        default=PLATEAU_TOL,
        help="each configuration trains until its memory capacity at L on held-out "
        "validation sequences moved by less than this share over two rounds of "
        "doubling updates, or to the cap; 0 trains to the cap "
        "(default: %(default)s)",
    )
    assess.add_argument(
        "--epochs",
        type=_positive_int,
        help="cap at this many passes over the windows instead of --max-steps "
        "updates (a pass gives a length k 1/k as many updates; default: off)",
    )


def _add_running_options(assess):
    """Where the configurations run and where their results go."""
    assess.add_argument(
        "--n-jobs",
        type=int,
        help=_with_default(
            "configurations run in parallel", "all cores on CPU, 1 on a GPU"
        ),
    )
    assess.add_argument(
        "--backend",
        choices=("loky", "dask"),
        default="loky",
        help="where configurations run: local processes (loky) or a Dask cluster "
        "(default: %(default)s)",
    )
    assess.add_argument(
        "--scheduler",
        help=_with_default(
            "address of a Dask scheduler, e.g. tcp://host:8786, for --backend dask",
            "a local cluster of --n-jobs workers",
        ),
    )
    assess.add_argument(
        "--output",
        type=Path,
        default=Path("rnnmemory-results"),
        help="output folder (default: %(default)s)",
    )
    again = assess.add_mutually_exclusive_group()
    again.add_argument(
        "--resume",
        action="store_true",
        help="keep the finished configurations of the output folder and run only "
        "the missing ones",
    )
    again.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the results already in the output folder",
    )
    assess.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar: one line per finished configuration instead",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``rnnmemory``."""
    parser = _Parser(
        prog="rnnmemory",
        description="Measure the memory ability of recurrent units in a Semantic "
        "Euclidean Space and recommend a training length per unit.",
        epilog=_EXAMPLES.format(units=", ".join(UNITS)),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    assess = commands.add_parser(
        "assess",
        help="train each unit at each training length and measure its memory",
        description="Train each unit at each training length on a corpus, measure "
        "every memory indicator on held-out windows of one common length, print "
        "the table and the recommended training length per unit, and write the "
        "results, figures and a report.",
        epilog=_EXAMPLES.format(units=", ".join(UNITS)),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_grid_options(assess)
    _add_corpus_options(assess)
    _add_training_options(assess)
    _add_running_options(assess)
    report = commands.add_parser(
        "report",
        help="write the report and figures of a finished study again",
        description="Rebuild the table, the guidance, the figures and report.md "
        "of a study folder, without training.",
    )
    report.add_argument("folder", type=Path, help="a folder written by assess")
    return parser


class UsageError(ValueError):
    """A user error, reported in one line with exit status 2."""


def _points(args):
    """The corpus's training and test points, their groups and a description.

    A text corpus is a list of documents: whole documents are held out, each
    is one sequence (its windows are cut from its running token stream), and
    each is the group of its windows.
    """
    options = {} if args.encoding is None else {"encoding": args.encoding}
    sequences = load_corpus(args.corpus, n_sequences=args.n_sequences, **options)
    train, test = train_test_split(
        list(sequences), test_size=args.test_size, random_state=0
    )
    groups = (None, None)
    if args.corpus == "zipf":
        space = SemanticEuclideanSpace(args.basis or "onehot", dim=args.dim)
    else:
        groups = (np.arange(len(train)), np.arange(len(test)))
        space = SemanticEuclideanSpace(
            args.basis or "random",
            dim=args.dim if args.dim is not None else _TEXT_DIM,
            max_vocab=args.max_vocab,
            handle_unknown="ignore",
            random_state=0,
        )
    X_train, X_test = space.fit_transform(train), space.transform(test)
    corpus = {
        "name": args.corpus,
        "kind": "sequences" if args.corpus == "zipf" else "documents",
        "n_train": len(X_train),
        "n_test": len(X_test),
        "n_tokens": int(sum(map(len, sequences))),
        "basis": space.basis,
        "dim": int(space.dim_),
        "vocabulary": len(space.vocabulary_),
    }
    if args.encoding is not None:
        corpus["encoding"] = args.encoding
    return X_train, X_test, groups, corpus


#: Every file assess writes in its output folder.
_FOLDER_FILES = (RESULTS_NAME, METADATA_NAME, *REPORT_FILES)


def _check_output(args):
    """The output folder can be written, holds nothing that would be lost, and
    no file through which a write would land outside it. Writes nothing."""
    output = args.output
    if output.exists() and not output.is_dir():
        raise UsageError(f"--output {output} is a file, not a folder.")
    if not output.exists():
        return
    check_all_writable(output, _FOLDER_FILES)
    results = output / RESULTS_NAME
    if (
        results.is_file()
        and results.stat().st_size > 0
        and not (args.resume or args.overwrite)
    ):
        raise UsageError(
            f"--output {output} already holds results; add --resume to finish that "
            "study or --overwrite to replace it."
        )
    metadata = output / METADATA_NAME
    if args.resume and metadata.is_file():
        version = read_metadata(metadata)[VERSION_KEY]
        if version != SCHEMA_VERSION:
            raise UsageError(
                f"--output {output} holds a study of layout version {version}, and "
                f"this sklearn-rnnmemory writes version {SCHEMA_VERSION}; --resume "
                "cannot mix them: finish it with the version that started it, or "
                "start again with --overwrite or another --output."
            )
    if not os.access(output, os.W_OK):
        raise UsageError(f"--output {output} is not writable.")


@contextmanager
def _output_folder(output: Path) -> Iterator[None]:
    """Make the output folder; remove the folders made here again if they are
    still empty when the block fails (a check refused the study before
    anything was written)."""
    made = [folder for folder in (output, *output.parents) if not folder.exists()]
    output.mkdir(parents=True, exist_ok=True)
    try:
        yield
    except BaseException:
        for folder in made:  # the deepest first
            if any(folder.iterdir()):
                break
            folder.rmdir()
        raise


def _versions():
    import numpy
    import sklearn
    import skorch
    import torch

    return {
        "python": platform.python_version(),
        "sklearn-rnnmemory": __version__,
        "torch": torch.__version__,
        "skorch": skorch.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
    }


def _now():
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _row_line(row, done, total):
    head = (
        f"{done}/{total} {row['unit']} k={row['seq_len']} H={row['hidden_size']} "
        f"seed={row['seed']}"
    )
    if row["status"] != "ok":
        return f"{head}: failed: {row['error']}"
    return (
        f"{head}: capacity {row['memory_capacity']:.2f} at L={row['eval_len']} "
        f"({row['n_updates']} updates, {row['fit_time']:.1f} s)"
    )


def assess(
    args: argparse.Namespace,
    argv: Sequence[str] | None = None,
    out: TextIO | None = None,
) -> StudyResult:
    """Run ``rnnmemory assess`` with parsed arguments; return the study result."""
    out = sys.stdout if out is None else out
    if args.epochs is not None and args.max_steps is not None:
        raise UsageError("--epochs and --max-steps exclude each other; give one.")
    device = resolve_device(args.device)
    n_jobs = args.n_jobs
    if n_jobs is None:
        n_jobs = 1 if device != "cpu" else os.cpu_count() or 1
    if n_jobs == 0:
        raise UsageError("--n-jobs must not be 0 (-1: every core).")
    if args.scheduler is not None and args.backend != "dask":
        raise UsageError(
            "--scheduler is read only with --backend dask; add --backend dask, or "
            "drop --scheduler to run here."
        )
    _check_output(args)
    X_train, X_test, (train_groups, test_groups), corpus = _points(args)
    started = time.time()
    metadata = {
        VERSION_KEY: SCHEMA_VERSION,
        "command": shlex.join(
            ["rnnmemory", *(argv if argv is not None else sys.argv[1:])]
        ),
        "versions": _versions(),
        "device": device,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "corpus": corpus,
        "seeds": args.seeds,
        "grid": {
            "units": [unit_label(u) for u in args.units],
            "seq_lens": args.lengths,
            "hidden_sizes": args.hidden_sizes,
            "seeds": args.seeds,
            "eval_len": args.eval_len,
            "max_steps": None if args.epochs is not None else args.max_steps,
            "epochs": args.epochs,
            "plateau_tol": args.plateau_tol,
        },
        "started": _now(),
        "finished": None,
    }
    metadata_file = args.output / METADATA_NAME
    total = (
        len(args.units) * len(args.lengths) * len(args.hidden_sizes) * len(args.seeds)
    )
    finished: list[dict[str, Any]] = []

    def report_row(row):
        if not finished:  # the study's checks passed: record what runs
            write_file(metadata_file, json.dumps(metadata, indent=2) + "\n")
        finished.append(row)
        if args.no_progress:
            print(_row_line(row, len(finished), total), file=out, flush=True)

    estimator_params = {
        "composition": args.composition,
        "batch_size": args.batch_size,
        "device": device,
    }
    if args.lr is not None:
        estimator_params["lr"] = args.lr
    if args.epochs is not None:
        estimator_params["max_epochs"] = args.epochs
    options = dict(
        units=args.units,
        seq_lens=args.lengths,
        hidden_sizes=args.hidden_sizes,
        seeds=args.seeds,
        eval_len=args.eval_len,
        max_steps=None
        if args.epochs is not None
        else (args.max_steps or study.DEFAULT_MAX_STEPS),
        plateau_tol=args.plateau_tol,
        train_groups=train_groups,
        test_groups=test_groups,
        estimator_params=estimator_params,
        results_file=args.output / RESULTS_NAME,
        resume=args.resume,
        overwrite=args.overwrite,
        n_jobs=-1 if args.backend == "dask" else n_jobs,
        backend=args.backend,
        progress=not args.no_progress,
        callback=report_row,
    )
    with _output_folder(args.output), _dask_client(args, n_jobs):
        result = run_study(X_train, X_test, **options)
    metadata.update(finished=_now(), duration_s=round(time.time() - started, 1))
    write_file(metadata_file, json.dumps(metadata, indent=2) + "\n")
    result.metadata = metadata
    return _present(result, args.output, out, heading=_heading(args, corpus, device))


def _heading(args, corpus, device):
    return (
        f"Memory of {', '.join(map(unit_label, args.units))} on corpus "
        f"{args.corpus!r} "
        f"({corpus['n_train']} training, {corpus['n_test']} test {corpus['kind']}, "
        f"device {device}); mean over {len(args.seeds)} seed(s):\n"
    )


def _present(result, folder, out, *, heading, tol=DEFAULT_TOL):
    """Print the table, the failures and the guidance; write the report."""
    print(heading, file=out)
    if result.ok_rows():
        print(result.table(), file=out)
    failed = result.failed_rows()
    for row in failed:
        print(
            f"failed: {row['unit']} k={row['seq_len']} H={row['hidden_size']} "
            f"seed={row['seed']}: {row['error']}",
            file=out,
        )
    unconverged = result.unconverged_rows()
    rule = plateau_rule(result)
    if unconverged and not (rule is not None and rule.tol == 0):
        print(
            f"\n{len(unconverged)} configuration(s) had not levelled off before the "
            "cap (see report.md); a higher --max-steps may change their numbers.",
            file=out,
        )
    written = write_report(result, folder, tol=tol)
    records = result.recommendation_records(tol=tol)
    if records:
        print(
            f"\nRecommended training length (memory capacity at L = "
            f"{records[0]['eval_len']}; tied: the lengths not significantly below "
            f"the best; saturation: the shortest tied length within {tol:.0%} of "
            "the best; stability: the share of seeds whose own results pick the "
            "same length):",
            file=out,
        )
        width = max(len(str(r["unit"])) for r in records)
        for r in records:
            stability = r["saturation_stability"]
            best_stability = r["best_stability"]
            tied = ", ".join(map(str, r["tied"]))
            print(
                f"  {r['unit']:>{width}} (hidden {r['hidden_size']}): k = "
                f"{r['saturation']} (saturation; tied: {tied}; stability "
                f"{_percent(stability)})  best: k = {r['best']} (stability "
                f"{_percent(best_stability)})",
                file=out,
            )
    print(f"\nWrote {folder}/{', '.join(written)}", file=out)
    if not result.ok_rows():
        raise SystemExit(
            "rnnmemory: error: every configuration failed; the causes are above."
        )
    return result


def _percent(value):
    return "-" if value is None else f"{value:.0%}"


def report(args: argparse.Namespace, out: TextIO | None = None) -> StudyResult:
    """Run ``rnnmemory report DIR``: rebuild a study's report without training."""
    out = sys.stdout if out is None else out
    if not args.folder.is_dir():
        raise UsageError(f"{args.folder} is not a folder.")
    try:
        result = load_study(args.folder)
        check_all_writable(args.folder, REPORT_FILES)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    metadata = result.metadata or {}
    seeds = sorted({row["seed"] for row in result.rows})
    heading = (
        f"Study in {args.folder} ({metadata.get('command', 'run from Python')}); "
        f"mean over {len(seeds)} seed(s):\n"
    )
    return _present(result, args.folder, out, heading=heading)


@contextmanager
def _dask_client(args, n_jobs):
    """A Dask client for ``--backend dask``: the given scheduler, or a local
    cluster of ``n_jobs`` single-threaded worker processes."""
    if args.backend != "dask":
        yield None
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise UsageError(
            "--backend dask needs dask.distributed: pip install 'dask[distributed]'."
        ) from None
    if args.scheduler is not None:
        with Client(args.scheduler) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=max(n_jobs, 1), threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    """Show a warning as the command line's other messages: one line."""
    text = " ".join(str(message).split())
    print(f"rnnmemory: warning: {text}", file=file or sys.stderr)


def _saved_rows(folder):
    """Whether ``folder`` holds a finished row (something to resume)."""
    try:
        with open(folder / RESULTS_NAME, "rb") as f:
            return b"\n" in f.read(1 << 20)
    except OSError:
        return False


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rnnmemory`` console script."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = None
    shown = warnings.showwarning
    warnings.showwarning = _one_line_warning
    try:
        # Parsing imports the user's units: it can be interrupted, too.
        args = parser.parse_args(argv)
        if args.command == "assess":
            assess(args, argv)
        else:
            report(args)
    except KeyboardInterrupt:
        where = getattr(args, "output", None)
        if where is not None and _saved_rows(where):
            hint = (
                f"; the finished configurations are saved in {where / RESULTS_NAME}:"
                " run the same command with --resume to finish the study"
            )
        elif where is not None:
            hint = " before any configuration finished"
        else:
            hint = ""
        print(f"\nrnnmemory: interrupted{hint}.", file=sys.stderr)
        return 130
    except (ValueError, OSError) as exc:
        # Library parameters read as the flags that set them, in assess only:
        # report's messages name the fields of a study's files.
        message = str(exc)
        if isinstance(exc, ValueError) and getattr(args, "command", None) == "assess":
            message = _flags(message)
        message = " ".join(message.split())  # one line
        parser.exit(2, f"rnnmemory: error: {message}\n")
    finally:
        warnings.showwarning = shown
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
