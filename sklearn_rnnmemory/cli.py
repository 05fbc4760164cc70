"""The ``rnnmemory`` command line: ``rnnmemory assess`` and ``rnnmemory report``.

One table, :data:`_OPTIONS`, maps each flag to the library parameter it sets
(of :func:`~sklearn_rnnmemory.study.corpus_points`, of
:func:`~sklearn_rnnmemory.study.run_study` or of the estimator) and says how
its text is parsed; a flag not typed is not passed, so the library's defaults
and checks decide, and the help shows the library's defaults. The command line
keeps only its own options (where results go, how the study runs and shows
progress). Every user error ends the command with one line on standard error
that names the flag as typed, and exit status 2.

Nothing heavy is imported here: ``--help`` and ``report`` run without torch.
"""

import argparse
import inspect
import os
import re
import sys
import time
import warnings
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from . import __version__, study
from .datasets import CORPORA, load_corpus

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


def _ints(text):
    """Comma-separated integers; what they may be, the library checks."""
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers; got {text!r}"
        ) from None
    if not values:
        raise argparse.ArgumentTypeError("expected at least one integer")
    return values


_ints.__name__ = "comma-separated integers"  # argparse names the type by it


def _names(text):
    """Comma-separated names."""
    return [name.strip() for name in text.split(",") if name.strip()]


def _csv(values):
    return ",".join(map(str, values))


def _default(function, name):
    return inspect.signature(function).parameters[name].default


#: Where a flag's value goes: corpus_points, run_study, or the estimator
#: parameters run_study passes to every configuration.
CORPUS, STUDY, ESTIMATOR = "corpus", "study", "estimator"


@dataclass(frozen=True)
class _Option:
    """A flag that sets a library parameter."""

    flag: str
    target: str  # CORPUS, STUDY or ESTIMATOR
    name: str  # the parameter it sets
    help: str
    default: Any = None  # the library's default as the help shows it
    parse: dict[str, Any] = field(default_factory=dict)  # argparse options
    #: Other names the library's messages give the parameter; None: its
    #: messages use the name as a plain word, which stays as it is.
    aliases: tuple[str, ...] | None = ()


#: Every flag that sets a library parameter, in the order of the help.
_OPTIONS = (
    _Option(
        "--units",
        STUDY,
        "units",
        "comma-separated units: built-in names or a unit of your own as "
        "package.module:attribute",
        study.DEFAULT_UNITS,
        {"type": _names},
        aliases=("unit",),
    ),
    _Option(
        "--lengths",
        STUDY,
        "seq_lens",
        "training lengths k",
        study.DEFAULT_SEQ_LENS,
        {"type": _ints},
    ),
    _Option(
        "--hidden-sizes",
        STUDY,
        "hidden_sizes",
        "hidden sizes",
        study.DEFAULT_HIDDEN_SIZES,
        {"type": _ints},
    ),
    _Option(
        "--seeds",
        STUDY,
        "seeds",
        "random seeds, one run each",
        study.DEFAULT_SEEDS,
        {"type": _ints},
    ),
    _Option(
        "--eval-len",
        STUDY,
        "eval_len",
        "evaluation window length L every model is measured on",
        "the longest training length",
        {"type": int},
    ),
    _Option(
        "--corpus",
        CORPUS,
        "corpus",
        f"built-in corpus {CORPORA} or a text file",
        _default(study.corpus_points, "corpus"),
        aliases=None,
    ),
    _Option(
        "--n-sequences",
        CORPUS,
        "n_sequences",
        "sequences of the zipf corpus",
        _default(load_corpus, "n_sequences"),
        {"type": int},
    ),
    _Option(
        "--basis",
        CORPUS,
        "basis",
        "semantic basis, one of SemanticEuclideanSpace's",
        "onehot for zipf, random otherwise",
    ),
    _Option(
        "--dim",
        CORPUS,
        "dim",
        "dimension of a random or cooccurrence basis",
        "the vocabulary size, at most 64",
        {"type": int},
    ),
    _Option(
        "--encoding",
        CORPUS,
        "encoding",
        "text encoding of a corpus file",
        "UTF-8, or the one its byte-order mark names",
    ),
    _Option(
        "--max-vocab",
        CORPUS,
        "max_vocab",
        "largest vocabulary of a text corpus",
        _default(study.corpus_points, "max_vocab"),
        {"type": int},
    ),
    _Option(
        "--test-size",
        CORPUS,
        "test_size",
        "share of sequences held out for measuring",
        _default(study.corpus_points, "test_size"),
        {"type": float},
    ),
    _Option(
        "--composition",
        ESTIMATOR,
        "composition",
        "how a sequence's semantics is composed",
        "the estimator's",
    ),
    _Option(
        "--lr",
        ESTIMATOR,
        "lr",
        "learning rate of every unit",
        ", ".join(f"{u} {r:g}" for u, r in study.DEFAULT_LEARNING_RATES.items())
        + "; other units the estimator's",
        {"type": float},
    ),
    _Option(
        "--device",
        ESTIMATOR,
        "device",
        "torch device; auto picks CUDA when present",
        "the estimator's",
    ),
    _Option(
        "--batch-size",
        ESTIMATOR,
        "batch_size",
        "windows per update",
        study.DEFAULT_BATCH_SIZE,
        {"type": int},
    ),
    _Option(
        "--max-steps",
        STUDY,
        "max_steps",
        "the cap on every configuration's optimizer updates, the same for every length",
        study.DEFAULT_MAX_STEPS,
        {"type": int},
    ),
    _Option(
        "--plateau-tol",
        STUDY,
        "plateau_tol",
        "each configuration trains until its memory capacity at L on held-out "
        "validation sequences moved by less than this share over two rounds of "
        "doubling updates, or to the cap; 0 trains to the cap",
        study.DEFAULT_PLATEAU_TOL,
        {"type": float},
    ),
    _Option(
        "--epochs",
        ESTIMATOR,
        "max_epochs",
        "cap at this many passes over the windows instead of --max-steps updates "
        "(a pass gives a length k 1/k as many updates)",
        "off",
        {"type": int},
    ),
    _Option(
        "--n-jobs",
        STUDY,
        "n_jobs",
        "configurations run in parallel",
        "all cores on CPU, 1 on a GPU",
        {"type": int},
    ),
    _Option(
        "--resume",
        STUDY,
        "resume",
        "keep the finished configurations of the output folder and run only the "
        "missing ones",
        parse={"action": "store_true"},
    ),
    _Option(
        "--overwrite",
        STUDY,
        "overwrite",
        "replace the results already in the output folder",
        parse={"action": "store_true"},
    ),
)

#: Each parameter name a library message may use -> the flag that sets it.
_FLAGS = {
    name: option.flag
    for option in _OPTIONS
    if option.aliases is not None
    for name in (option.name, *option.aliases)
}
#: A boolean flag's parameter given as True reads as the flag itself.
_SWITCHES = {
    f"{option.name}=True": option.flag
    for option in _OPTIONS
    if option.parse.get("action") == "store_true"
}


def _flags(message):
    """A library error message with its parameter names as the flags."""
    # scikit-learn's message of a parameter that breaks its constraints,
    # "The 'lr' parameter of RecurrentMemoryRegressor must be ...", names the
    # parameter in quotes: read as "lr must be ...", it names the flag.
    message = re.sub(r"The '(\w+)' parameter of \w+ must be", r"\1 must be", message)
    for name, flag in _SWITCHES.items():
        message = message.replace(name, flag)
    # Longest names first: "max_steps" before "steps".
    for name, flag in sorted(_FLAGS.items(), key=lambda item: -len(item[0])):
        # Not inside a path, a quoted name or a dotted one.
        message = re.sub(
            rf"(?<![\w\-/.'\"]){re.escape(name)}(?![\w\-/'\"])(?!\.\w)", flag, message
        )
    return message


def _given(args, target):
    """The library parameters of ``target`` the user typed, by name."""
    return {
        option.name: getattr(args, option.name)
        for option in _OPTIONS
        if option.target == target and hasattr(args, option.name)
    }


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line: no usage block."""

    def error(self, message):
        self.exit(2, f"rnnmemory: error: {' '.join(message.split())}\n")


def _with_default(text, default):
    """An option's help, ending with its default as a user would type it."""
    if default is None:
        return text
    if isinstance(default, list | tuple):
        default = _csv(default)
    return f"{text} (default: {default})"


def _add_options(assess):
    """The flags of :data:`_OPTIONS`, then the command line's own."""
    for option in _OPTIONS:
        assess.add_argument(
            option.flag,
            dest=option.name,
            default=argparse.SUPPRESS,  # not typed: not passed
            help=_with_default(option.help, option.default),
            **option.parse,
            **(
                {}
                if "action" in option.parse
                else {"metavar": option.flag[2:].upper().replace("-", "_")}
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
        epilog=_EXAMPLES.format(units=", ".join(study.UNIT_NAMES)),
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
        epilog=_EXAMPLES.format(units=", ".join(study.UNIT_NAMES)),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_options(assess)
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


def _units(specs):
    """The units the specs name: a built-in name as is, a
    ``package.module:attribute`` imported and checked."""
    if not any(":" in spec for spec in specs):
        return specs
    from ._torch.unit_checks import import_unit

    return [import_unit(spec) for spec in specs]


@contextmanager
def _output(folder):
    """Errors about the output folder, named as the flag that set it."""
    try:
        yield
    except ValueError as exc:
        raise UsageError(_flags(f"--output {exc}")) from None


def _estimator_params(args, defaults, device):
    """What every configuration's estimator is given: the estimator's
    composition (from its ``defaults``), the study's batch size and the
    device, as the study records them, and what the user typed."""
    params = {
        "composition": defaults["composition"],
        "batch_size": study.DEFAULT_BATCH_SIZE,
        "device": device,
    }
    params.update(_given(args, ESTIMATOR), device=device)
    return params


def assess(
    args: argparse.Namespace,
    argv: Sequence[str] | None = None,
    out: TextIO | None = None,
) -> "study.StudyResult":
    """Run ``rnnmemory assess`` with parsed arguments; return the study result."""
    from . import RecurrentMemoryRegressor
    from ._torch.devices import resolve_device

    out = sys.stdout if out is None else out
    grid = _given(args, STUDY)
    epochs = getattr(args, "max_epochs", None)
    if epochs is not None and "max_steps" in grid:
        raise UsageError("--epochs and --max-steps exclude each other; give one.")
    defaults = RecurrentMemoryRegressor().get_params()
    device = resolve_device(getattr(args, "device", defaults["device"]))
    n_jobs = grid.pop("n_jobs", None)
    if n_jobs is None:
        n_jobs = 1 if device != "cpu" else os.cpu_count() or 1
    if args.scheduler is not None and args.backend != "dask":
        raise UsageError(
            "--scheduler is read only with --backend dask; add --backend dask, or "
            "drop --scheduler to run here."
        )
    with _output(args.output):
        study.check_study_folder(
            args.output,
            resume=grid.get("resume", False),
            overwrite=grid.get("overwrite", False),
        )
    if "units" in grid:
        try:
            grid["units"] = _units(grid["units"])
        except ValueError as exc:
            raise UsageError(_flags(str(exc))) from None
    points = study.corpus_points(**_given(args, CORPUS))
    if epochs is not None:
        grid["max_steps"] = None
    started = time.time()
    metadata = study.study_metadata(
        ["rnnmemory", *(argv if argv is not None else sys.argv[1:])],
        device=str(device),
        corpus=points.description,
        epochs=epochs,
        **{
            name: value
            for name, value in grid.items()
            if name not in ("resume", "overwrite")
        },
    )
    seen: list[dict[str, Any]] = []

    def report_row(row):
        if not seen:  # the study's checks passed: record what runs
            study.write_metadata(args.output, metadata)
        seen.append(row)
        if args.no_progress:
            print(_row_line(row, len(seen), total), file=out, flush=True)

    total = 1
    for name in ("units", "seq_lens", "hidden_sizes", "seeds"):
        total *= len(metadata["grid"][name])
    with study.study_folder(args.output), _dask_client(args, n_jobs):
        result = study.run_study(
            points.X_train,
            points.X_test,
            train_groups=points.train_groups,
            test_groups=points.test_groups,
            estimator_params=_estimator_params(args, defaults, device),
            results_file=args.output / study.RESULTS_NAME,
            n_jobs=-1 if args.backend == "dask" else n_jobs,
            backend=args.backend,
            progress=not args.no_progress,
            callback=report_row,
            **grid,
        )
    study.write_metadata(args.output, metadata, started=started)
    result.metadata = metadata
    units = metadata["grid"]["units"]
    heading = (
        f"Memory of {', '.join(units)} on corpus {points.description['name']!r} "
        f"({points.description['n_train']} training, {points.description['n_test']} "
        f"test {points.description['kind']}, device {device}); mean over "
        f"{len(metadata['grid']['seeds'])} seed(s):\n"
    )
    return _present(result, args.output, out, heading=heading)


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


def _present(result, folder, out, *, heading):
    """Write the report; print the table, the failures and the guidance."""
    # Written first: a folder the report cannot be written to is refused
    # before anything is printed.
    written = study.write_report(result, folder)
    tol = _default(type(result).recommendation_records, "tol")
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
    unconverged = study.unsettled_rows(result)
    if unconverged:
        print(
            f"\n{len(unconverged)} configuration(s) had not levelled off before the "
            "cap (see report.md); a higher --max-steps may change their numbers.",
            file=out,
        )
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


def report(args: argparse.Namespace, out: TextIO | None = None) -> "study.StudyResult":
    """Run ``rnnmemory report DIR``: rebuild a study's report without training."""
    out = sys.stdout if out is None else out
    if not args.folder.is_dir():
        raise UsageError(f"{args.folder} is not a folder.")
    result = study.load_study(args.folder)
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
        with open(folder / study.RESULTS_NAME, "rb") as f:
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
                "; the finished configurations are saved in "
                f"{where / study.RESULTS_NAME}:"
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
