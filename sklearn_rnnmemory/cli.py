"""The ``rnnmemory`` command line: ``rnnmemory assess``."""

import argparse
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from sklearn.model_selection import train_test_split

from ._recurrent_base import resolve_device
from ._semantic_space import BASES, SemanticEuclideanSpace
from ._units import UNITS, import_unit, unit_label
from .datasets import CORPORA, load_corpus
from .plots import plot_capacity_vs_length, plot_retention_curves, plot_retention_matrix
from .study import run_study


def _int_list(text):
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers; got {text!r}"
        ) from None
    if not values:
        raise argparse.ArgumentTypeError("expected at least one integer")
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


def build_parser():
    """The argument parser of ``rnnmemory``."""
    parser = argparse.ArgumentParser(
        prog="rnnmemory",
        description="Measure the memory ability of recurrent units in a Semantic "
        "Euclidean Space and recommend a training length per unit.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    assess = commands.add_parser(
        "assess",
        help="train each unit at each training length and measure its memory",
        description="Train each unit at each training length on a corpus, measure "
        "every memory indicator on held-out sequences, print the table and the "
        "recommended training length per unit, and write CSV, JSON lines and PNG "
        "figures.",
    )
    assess.add_argument(
        "--units",
        type=_unit_list,
        default=["rnn", "lstm", "gru"],
        help="comma-separated units: built-in names or a unit of your own as "
        "package.module:attribute (default: rnn,lstm,gru)",
    )
    assess.add_argument(
        "--lengths",
        type=_int_list,
        default=[5, 10, 20, 40, 80],
        help="training lengths k (default: 5,10,20,40,80)",
    )
    assess.add_argument(
        "--hidden-sizes",
        type=_int_list,
        default=[32],
        help="hidden sizes (default: 32)",
    )
    assess.add_argument(
        "--seeds",
        type=_int_list,
        default=[0],
        help="random seeds, one run each (default: 0)",
    )
    assess.add_argument(
        "--corpus",
        default="zipf",
        help=f"built-in corpus {CORPORA} or a text file (default: zipf)",
    )
    assess.add_argument(
        "--n-sequences",
        type=int,
        default=1000,
        help="sequences of the zipf corpus (default: 1000)",
    )
    assess.add_argument(
        "--basis",
        choices=BASES,
        default=None,
        help="semantic basis (default: onehot for zipf, random otherwise)",
    )
    assess.add_argument(
        "--dim",
        type=int,
        default=None,
        help="dimension of a random or cooccurrence basis (default: 64)",
    )
    assess.add_argument(
        "--max-vocab",
        type=int,
        default=2000,
        help="largest vocabulary of a text corpus (default: 2000)",
    )
    assess.add_argument(
        "--composition",
        choices=("sum", "mean"),
        default="sum",
        help="how a sequence's semantics is composed (default: sum)",
    )
    assess.add_argument(
        "--epochs",
        type=int,
        default=40,
        help="training epochs per configuration (default: 40)",
    )
    assess.add_argument(
        "--max-steps",
        type=int,
        default=None,
        help="train every configuration for this many optimizer updates instead "
        "of --epochs passes: the same number for every length (default: off)",
    )
    assess.add_argument(
        "--lr", type=float, default=0.01, help="learning rate (default: 0.01)"
    )
    assess.add_argument(
        "--batch-size", type=int, default=64, help="windows per batch (default: 64)"
    )
    assess.add_argument(
        "--test-size",
        type=float,
        default=0.2,
        help="share of sequences held out for measuring (default: 0.2)",
    )
    assess.add_argument(
        "--device",
        default="auto",
        help="torch device; auto picks CUDA when present (default: auto)",
    )
    assess.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        help="configurations run in parallel (default: all cores on CPU, 1 on a GPU)",
    )
    assess.add_argument(
        "--backend",
        choices=("loky", "dask"),
        default="loky",
        help="where configurations run: local processes (loky) or a Dask cluster "
        "(default: loky)",
    )
    assess.add_argument(
        "--scheduler",
        default=None,
        help="address of a Dask scheduler, e.g. tcp://host:8786, for --backend "
        "dask (default: a local cluster of --n-jobs workers)",
    )
    assess.add_argument(
        "--output",
        type=Path,
        default=Path("rnnmemory-results"),
        help="output folder (default: rnnmemory-results)",
    )
    assess.add_argument(
        "--resume",
        action="store_true",
        help="keep finished configurations of the output folder "
        "and run only the missing ones",
    )
    assess.add_argument(
        "--no-progress", action="store_true", help="do not show a progress bar"
    )
    return parser


def _points(args):
    sequences = load_corpus(args.corpus, n_sequences=args.n_sequences)
    train, test = train_test_split(
        list(sequences), test_size=args.test_size, random_state=0
    )
    if args.corpus == "zipf":
        space = SemanticEuclideanSpace(args.basis or "onehot", dim=args.dim)
    else:
        space = SemanticEuclideanSpace(
            args.basis or "random",
            dim=args.dim if args.dim is not None else 64,
            max_vocab=args.max_vocab,
            handle_unknown="ignore",
            random_state=0,
        )
    return space.fit_transform(train), space.transform(test)


def assess(args, out=None):
    """Run ``rnnmemory assess`` with parsed arguments; return the study result."""
    out = sys.stdout if out is None else out
    X_train, X_test = _points(args)
    device = resolve_device(args.device)
    n_jobs = args.n_jobs
    if n_jobs is None:
        n_jobs = 1 if device != "cpu" else os.cpu_count() or 1
    args.output.mkdir(parents=True, exist_ok=True)
    with _dask_client(args, n_jobs):
        result = _run(args, X_train, X_test, device, n_jobs)
    _report(args, result, X_train, X_test, device, out)
    return result


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
        raise ValueError(
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


def _run(args, X_train, X_test, device, n_jobs):
    return run_study(
        X_train,
        X_test,
        units=args.units,
        seq_lens=args.lengths,
        hidden_sizes=args.hidden_sizes,
        seeds=args.seeds,
        estimator_params={
            "composition": args.composition,
            "max_epochs": args.epochs,
            "max_steps": args.max_steps,
            "lr": args.lr,
            "batch_size": args.batch_size,
            "device": device,
        },
        results_file=args.output / "results.jsonl",
        resume=args.resume,
        n_jobs=-1 if args.backend == "dask" else n_jobs,
        backend=args.backend,
        progress=not args.no_progress,
    )


def _report(args, result, X_train, X_test, device, out):
    """Write the files and print the table and the guidance."""
    result.to_csv(args.output / "results.csv")
    saturation = result.recommendations(rule="saturation")
    best = result.recommendations(rule="best")
    recommendations = [
        {"unit": unit, "hidden_size": h, "saturation": k, "best": best.get((unit, h))}
        for (unit, h), k in saturation.items()
    ]
    (args.output / "recommendations.json").write_text(
        json.dumps(recommendations, indent=2) + "\n"
    )
    plot_retention_curves(result, args.output / "retention_curves.png")
    plot_capacity_vs_length(result, args.output / "capacity_vs_length.png")
    ok = [row for row in result.rows if row["status"] == "ok"]
    if ok:
        strongest = max(ok, key=lambda row: row["memory_capacity"])
        plot_retention_matrix(strongest, args.output / "retention_matrix.png")

    print(
        f"Memory of {', '.join(map(unit_label, args.units))} on corpus {args.corpus!r} "
        f"({len(X_train)} training, {len(X_test)} test sequences, device "
        f"{device}); mean over {len(args.seeds)} seed(s):\n",
        file=out,
    )
    print(result.table(), file=out)
    failed = [row for row in result.rows if row["status"] != "ok"]
    for row in failed:
        print(
            f"failed: {row['unit']} k={row['seq_len']} H={row['hidden_size']} "
            f"seed={row['seed']}: {row['error']}",
            file=out,
        )
    print(
        "\nRecommended training length (memory capacity; saturation: the "
        "shortest within 5 % of the best):",
        file=out,
    )
    width = max((len(entry["unit"]) for entry in recommendations), default=0)
    for entry in recommendations:
        print(
            f"  {entry['unit']:>{width}} (hidden {entry['hidden_size']}): "
            f"k = {entry['saturation']}  (best: k = {entry['best']})",
            file=out,
        )
    print(
        f"\nWrote {args.output}/results.csv, results.jsonl, recommendations.json, "
        "retention_curves.png, capacity_vs_length.png, retention_matrix.png",
        file=out,
    )
    return result


def main(argv=None):
    """Entry point of the ``rnnmemory`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        assess(args)
    except ValueError as exc:
        parser.exit(2, f"rnnmemory: error: {exc}\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
