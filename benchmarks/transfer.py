"""Does the recommended training length transfer to a language model on real text?

The memory study recommends, per recurrent unit, the training lengths ``k``
whose memory capacity at an evaluation length ``L`` is not significantly below
the best's (its tied set). This script tests that guidance against the length
that is actually best for a recurrent language model trained on the same text.

Criterion, fixed before any result: the guidance transfers for a unit if the
language model's best training length by test perplexity at ``L`` (the lowest
mean over seeds) lies in the memory study's tied set for that unit. The result
is how many of the three units (rnn, lstm, gru) pass.

Setup (the full run):

- Text: the built-in Python Language Reference, read as 79 documents; 20 % of
  the documents are held out for testing, as ``rnnmemory assess`` holds them
  out (``train_test_split``, seed 0); the 2,000 most frequent words of the
  training documents are kept, all others share one id.
- Memory study: :func:`sklearn_rnnmemory.study.run_study` on the text's
  semantic points (random basis, d = 64, as ``rnnmemory assess`` builds them),
  units rnn, lstm, gru, lengths 5, 10, 20, 40, 80, seeds 0, 1, 2, hidden size
  32, ``L`` = 80, the study's defaults otherwise (each configuration trained
  to the plateau of its validation capacity, cap 8,000 updates).
- Language models: a :class:`~sklearn_rnnmemory.RecurrentLanguageModel` per
  unit, length ``k`` and seed (hidden size 32, embedding 32, Adam at 0.005,
  gradients clipped at norm 1), trained on windows of ``k`` next-token pairs,
  each read from a zero state (truncation by windows: no state is carried
  from one window to the next). Every update reads 640 tokens (640 / k
  windows), so that every length sees the text at the same rate. Each model
  trains to the plateau of its perplexity at ``L`` on validation documents
  (the 20 % of training documents that the memory study's plateau rule holds
  out as well): its validation perplexity is measured every 60 updates (about
  one pass over the training text) and the weights of the lowest are kept;
  the plateau rule of the memory study (:class:`PlateauRule`: checkpoints at
  60 updates and every doubling, relative tolerance 1 %, at least 480
  updates, cap 1,920) is applied to that lowest perplexity, and training
  stops when it levelled off, or at the cap. The model kept is measured on
  the test documents: next-token perplexity read in windows of ``L`` from a
  zero state, and the probe net capacity of its states (lags 1 to 30, chance
  lags zeroed by shuffled targets) on test windows of ``L`` tokens.
- Comparison, per unit: the memory study's recommended length and tied set;
  the language model's best length by perplexity and its tied set (the
  lengths whose perplexity is not significantly above the best's: the same
  one-sided paired t-test over seeds, at 5 %); the Spearman rank correlation
  across ``k`` between the mean memory capacity and the mean perplexity, and
  between the mean probe net capacity and the mean perplexity; 95 %
  intervals over seeds.

Both parts are resumable: every finished configuration is appended to a
JSON-lines file in ``--folder`` (``memory.jsonl``: the study's rows;
``language_models.jsonl``), and a rerun trains only the configurations
missing there. The run writes the results JSON (``--results``); ``--rst``
writes, from that JSON alone, the results section of the documentation page
and its figure. ``--reduced`` runs a tiny version (2 units, 2 lengths, 2
seeds, tiny networks, a few updates) for the tests.

Usage::

    python benchmarks/transfer.py [--folder DIR] [--n-jobs 2] [--results PATH]
    python benchmarks/transfer.py --rst docs/transfer.rst [--results PATH] \
        [--figure PATH]
    python benchmarks/transfer.py --reduced --folder DIR --results PATH
"""

import argparse
import copy
import dataclasses
import hashlib
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import scipy.stats
import torch
from joblib import Parallel, delayed
from sklearn.model_selection import train_test_split

import sklearn_rnnmemory
from sklearn_rnnmemory import RecurrentLanguageModel, SemanticEuclideanSpace
from sklearn_rnnmemory._plateau import (
    VALIDATION_FRACTION,
    PlateauRule,
    PlateauTracker,
    split_validation,
)
from sklearn_rnnmemory._sequences import cut_windows
from sklearn_rnnmemory.datasets import load_corpus
from sklearn_rnnmemory.indicators import probe_memory
from sklearn_rnnmemory.selection import significantly_below
from sklearn_rnnmemory.study import DEFAULT_MAX_STEPS, run_study
from sklearn_rnnmemory.study._configuration import one_thread
from sklearn_rnnmemory.study._results import seed_interval
from sklearn_rnnmemory.study._run import VALIDATION_SEED

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "transfer.json"
FIGURE = HERE.parent / "docs" / "_static" / "figures" / "transfer.png"
#: The page's results section lies between these two lines.
RST_START = ".. transfer-results-start"
RST_END = ".. transfer-results-end"
#: Share of the documents held out for testing, and its seed, as
#: ``rnnmemory assess`` holds them out.
TEST_SIZE = 0.2
SPLIT_SEED = 0
MEMORY_ROWS = "memory.jsonl"
LANGUAGE_MODEL_ROWS = "language_models.jsonl"
RUNS = "runs.jsonl"


@dataclasses.dataclass(frozen=True)
class Setup:
    """Every size of one run of the comparison."""

    units: tuple = ("rnn", "lstm", "gru")
    seq_lens: tuple = (5, 10, 20, 40, 80)
    seeds: tuple = (0, 1, 2)
    eval_len: int = 80
    hidden_size: int = 32
    # The text: the vocabulary and the semantic points of the memory study,
    # as ``rnnmemory assess`` builds them for a text corpus.
    max_vocab: int = 2000
    dim: int = 64
    # The first this many words of each document (None: all of them).
    document_words: int | None = None
    # The memory study: the cap on its updates (its plateau rule stops before).
    memory_max_steps: int = DEFAULT_MAX_STEPS
    # The language models.
    embedding_dim: int = 32
    lr: float = 0.005
    tokens_per_update: int = 640
    first_round: int = 60
    min_updates: int = 480
    max_steps: int = 1920
    tol: float = 0.01
    probe_lags: int = 30

    def rule(self):
        """The plateau rule the language models train under."""
        return PlateauRule(
            self.max_steps,
            tol=self.tol,
            first_round=self.first_round,
            min_updates=self.min_updates,
        )


FULL = Setup()
REDUCED = Setup(
    units=("rnn", "gru"),
    seq_lens=(3, 6),
    seeds=(0, 1),
    eval_len=6,
    hidden_size=4,
    max_vocab=200,
    dim=8,
    document_words=300,
    memory_max_steps=16,
    embedding_dim=4,
    # Fast enough that validation perplexity turns up within the 16 updates.
    lr=0.1,
    tokens_per_update=48,
    first_round=4,
    min_updates=8,
    max_steps=16,
    probe_lags=3,
)


# -- the text ------------------------------------------------------------------


@dataclasses.dataclass
class Text:
    """The text's training and test documents, as points and as token ids."""

    points_train: np.ndarray
    points_test: np.ndarray
    ids_train: np.ndarray
    ids_test: np.ndarray
    vocab_size: int

    def fingerprint(self):
        digest = hashlib.blake2b(digest_size=8)
        for array in (self.ids_train, self.ids_test):
            digest.update(str(array.shape).encode())
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()


def load_text(setup):
    """The built-in text, split into training and test documents."""
    documents = [
        words[: setup.document_words] for words in load_corpus("python-reference")
    ]
    train, test = train_test_split(
        list(documents), test_size=TEST_SIZE, random_state=SPLIT_SEED
    )
    space = SemanticEuclideanSpace(
        "random",
        dim=setup.dim,
        max_vocab=setup.max_vocab,
        handle_unknown="ignore",
        random_state=0,
    ).fit(train)
    return Text(
        points_train=space.transform(train),
        points_test=space.transform(test),
        ids_train=space.token_ids(train),
        ids_test=space.token_ids(test),
        # One more id: the words outside the vocabulary.
        vocab_size=len(space.vocabulary_) + 1,
    )


def token_windows(ids, length):
    """Consecutive windows of ``length`` token ids of each document, -1 padded."""
    values = np.where(ids >= 0, ids, np.nan).astype(np.float64)[..., None]
    windows, _ = cut_windows(values, length)
    return np.nan_to_num(windows[..., 0], nan=-1).astype(np.int64)


# -- the memory study -------------------------------------------------------


def run_memory_study(text, setup, folder, n_jobs, report=print):
    """The memory study on the text's points; resumes its rows in ``folder``."""
    path = folder / MEMORY_ROWS
    n_train, n_test = len(text.points_train), len(text.points_test)
    return run_study(
        text.points_train,
        text.points_test,
        units=setup.units,
        seq_lens=setup.seq_lens,
        hidden_sizes=[setup.hidden_size],
        seeds=setup.seeds,
        eval_len=setup.eval_len,
        max_steps=setup.memory_max_steps,
        train_groups=np.arange(n_train),
        test_groups=np.arange(n_test),
        results_file=path,
        resume=path.exists() and path.stat().st_size > 0,
        n_jobs=n_jobs,
        progress=False,
        callback=lambda row: report(
            f"memory   {row['unit']:>4} k={row['seq_len']:<3} seed {row['seed']}: "
            f"capacity at L {row.get('memory_capacity', float('nan')):.2f}, "
            f"{row.get('n_updates')} updates, {row['status']}"
        ),
    )


# -- the language models ----------------------------------------------------


def train_language_model(unit, seq_len, seed, text, setup):
    """Train one language model to its plateau and measure it, on one thread;
    never raises.

    Returns its row: the configuration, the test perplexity at ``L``, the
    probe of its states at ``L``, and how it trained.
    """
    with one_thread():
        return _train_and_measure(unit, seq_len, seed, text, setup)


def _train_and_measure(unit, seq_len, seed, text, setup):
    row = {"unit": unit, "seq_len": seq_len, "seed": seed, "status": "ok"}
    start = time.perf_counter()
    train, valid = split_validation(
        len(text.ids_train),
        VALIDATION_FRACTION,
        VALIDATION_SEED,
        groups=np.arange(len(text.ids_train)),
    )
    ids_train, ids_valid = text.ids_train[train], text.ids_train[valid]
    rule = setup.rule()
    tracker = PlateauTracker(rule)
    step = rule.first_round
    try:
        model = RecurrentLanguageModel(
            unit,
            hidden_size=setup.hidden_size,
            embedding_dim=setup.embedding_dim,
            seq_len=seq_len,
            batch_size=max(1, setup.tokens_per_update // seq_len),
            vocab_size=text.vocab_size,
            lr=setup.lr,
            max_steps=step,
            device="cpu",
            random_state=seed,
        ).fit(ids_train)
        done, best, curve = step, (math.inf, None, 0), []
        while True:
            perplexity = model.perplexity(ids_valid, eval_len=setup.eval_len)
            curve.append([done, round(perplexity, 3)])
            if perplexity < best[0]:
                state = copy.deepcopy(model.net_.module_.state_dict())
                best = (perplexity, state, done)
            if done == tracker.next_checkpoint and tracker.record(done, best[0]):
                break
            more = min(step, tracker.next_checkpoint - done)
            model._advance(ids_train, more)
            done += more
        if best[1] is None:
            raise ValueError("the validation perplexity was never finite.")
        model.net_.module_.load_state_dict(best[1])
        row["fit_time"] = time.perf_counter() - start
        row["perplexity"] = model.perplexity(text.ids_test, eval_len=setup.eval_len)
        windows = token_windows(text.ids_test, setup.eval_len)
        probe = probe_memory(
            model.probe_inputs(windows),
            model.hidden_states(windows, eval_len=setup.eval_len),
            max_lag=setup.probe_lags,
            surrogate=True,
            random_state=0,
        )
    except ValueError as exc:  # a diverged model is a row, not a crash
        row.update(status="failed", error=f"{type(exc).__name__}: {exc}")
        return row
    row.update(
        valid_perplexity=best[0],
        best_updates=best[2],
        n_updates=done,
        converged=tracker.converged,
        trajectory=[[u, round(p, 3)] for u, p in tracker.trajectory],
        valid_curve=curve,
        net_capacity=probe.net_capacity,
        probe_capacity=probe.memory_capacity,
        probe_baseline=probe.probe_baseline,
        lag0=probe.lag0,
        decodability=[round(float(v), 5) for v in probe.decodability],
        time=time.perf_counter() - start,
    )
    return row


def language_model_settings(setup, text):
    """What every stored language-model row must share with this run."""
    settings = dataclasses.asdict(setup)
    for swept in ("units", "seq_lens", "seeds", "dim", "memory_max_steps"):
        settings.pop(swept)
    settings["data"] = text.fingerprint()
    return settings


def _key(row):
    return (row["unit"], row["seq_len"], row["seed"])


def read_rows(path, settings):
    """The rows stored in ``path``, by configuration; a line cut off while
    being written is dropped, and rows of other settings are refused."""
    if not path.exists():
        return {}
    lines = path.read_text().splitlines()
    rows = {}
    for number, line in enumerate(lines, 1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            if number < len(lines):
                raise ValueError(f"{path}: line {number} is not a row.") from None
            # The last line was cut off: that configuration runs again.
            path.write_text("".join(f"{text}\n" for text in lines[:-1]))
            break
        if row.pop("settings") != settings:
            raise ValueError(
                f"{path} holds rows of other settings; give another --folder or "
                "delete it."
            )
        rows[_key(row)] = row
    return rows


def append_row(path, row, settings):
    with open(path, "a") as f:
        f.write(json.dumps({**row, "settings": settings}) + "\n")
        f.flush()
        os.fsync(f.fileno())


def run_language_models(text, setup, folder, n_jobs, report=print):
    """Every language model of the grid; rows already in ``folder`` are kept."""
    path = folder / LANGUAGE_MODEL_ROWS
    settings = language_model_settings(setup, text)
    done = read_rows(path, settings)
    todo = [
        (unit, k, seed)
        for unit in setup.units
        for k in sorted(setup.seq_lens, reverse=True)
        for seed in setup.seeds
        if (unit, k, seed) not in done
    ]
    tasks = (
        delayed(train_language_model)(unit, k, seed, text, setup)
        for unit, k, seed in todo
    )
    for row in Parallel(n_jobs=n_jobs, return_as="generator_unordered")(tasks):
        append_row(path, row, settings)
        done[_key(row)] = row
        report(
            f"language {row['unit']:>4} k={row['seq_len']:<3} seed {row['seed']}: "
            f"perplexity at L {row.get('perplexity', float('nan')):.1f}, best at "
            f"{row.get('best_updates')} of {row.get('n_updates')} updates, "
            f"{row['status']}"
        )
    keys = [(u, k, s) for u in setup.units for k in setup.seq_lens for s in setup.seeds]
    return [done[key] for key in keys]


# -- the comparison -----------------------------------------------------------


def _interval(values):
    mean, low, high = seed_interval(list(values))
    return [mean, low, high]


def memory_guidance(study, setup):
    """Per unit: the memory study's recommended and best lengths, its tied
    set, and the capacity at ``L`` per length (per seed, mean and interval)."""
    records = {
        r["unit"]: r
        for r in study.recommendation_records()
        if r["hidden_size"] == setup.hidden_size
    }
    out = {}
    for unit in setup.units:
        capacity = {}
        for k in setup.seq_lens:
            per_seed = {
                r["seed"]: r["memory_capacity"]
                for r in study.ok_rows()
                if r["unit"] == unit and r["seq_len"] == k
            }
            capacity[k] = {"seeds": per_seed, "interval": _interval(per_seed.values())}
        record = records.get(unit, {})
        out[unit] = {
            "recommended": record.get("saturation"),
            "best": record.get("best"),
            "tied": record.get("tied", []),
            "capacity": capacity,
            "n_converged": sum(
                bool(r.get("converged")) for r in study.ok_rows() if r["unit"] == unit
            ),
        }
    return out


def language_model_guidance(rows, setup):
    """Per unit: the best length by mean test perplexity, the lengths tied
    with it (perplexity not significantly above the best's: a one-sided paired
    t-test over seeds), and per length the perplexity and the probe net
    capacity (per seed, mean and interval)."""
    out = {}
    for unit in setup.units:
        ok = [r for r in rows if r["unit"] == unit and r["status"] == "ok"]
        by_length = {}
        for k in setup.seq_lens:
            at = [r for r in ok if r["seq_len"] == k]
            by_length[k] = {
                name: {
                    "seeds": {r["seed"]: r[name] for r in at},
                    "interval": _interval(r[name] for r in at),
                }
                for name in ("perplexity", "net_capacity")
            }
        means = {
            k: v["perplexity"]["interval"][0]
            for k, v in by_length.items()
            if np.isfinite(v["perplexity"]["interval"][0])
        }
        best = min(means, key=means.get) if means else None
        # Greater is better for the test: minus the perplexity.
        score = {
            k: {s: -p for s, p in by_length[k]["perplexity"]["seeds"].items()}
            for k in means
        }
        tied = [k for k in means if not significantly_below(score[best], score[k])]
        out[unit] = {
            "best": best,
            "tied": sorted(tied),
            "by_length": by_length,
            "n_converged": sum(bool(r["converged"]) for r in ok),
            "n_failed": sum(r["unit"] == unit and r["status"] != "ok" for r in rows),
            "best_updates": sorted(r["best_updates"] for r in ok),
        }
    return out


def _spearman(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    keep = np.isfinite(x) & np.isfinite(y)
    if keep.sum() < 3 or np.ptp(x[keep]) == 0 or np.ptp(y[keep]) == 0:
        return None
    return float(scipy.stats.spearmanr(x[keep], y[keep]).statistic)


def compare(memory, language, setup):
    """The criterion per unit, and the rank correlations across lengths.

    A unit passes when the language model's best length lies in the memory
    study's tied set.
    """
    units = {}
    for unit in setup.units:
        mem, lm = memory[unit], language[unit]
        perplexity = [
            lm["by_length"][k]["perplexity"]["interval"][0] for k in setup.seq_lens
        ]
        units[unit] = {
            "passes": lm["best"] is not None and lm["best"] in mem["tied"],
            "recommended_in_lm_tied": mem["recommended"] in lm["tied"],
            "spearman_capacity_perplexity": _spearman(
                [mem["capacity"][k]["interval"][0] for k in setup.seq_lens], perplexity
            ),
            "spearman_net_capacity_perplexity": _spearman(
                [
                    lm["by_length"][k]["net_capacity"]["interval"][0]
                    for k in setup.seq_lens
                ],
                perplexity,
            ),
        }
    return {"units": units, "n_pass": sum(u["passes"] for u in units.values())}


def summarise(study, lm_rows, setup):
    """The results: both guidances and their comparison."""
    memory = memory_guidance(study, setup)
    language = language_model_guidance(lm_rows, setup)
    return {
        "memory": memory,
        "language_model": language,
        "comparison": compare(memory, language, setup),
    }


# -- running -------------------------------------------------------------------


def _machine():
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "sklearn_rnnmemory": sklearn_rnnmemory.__version__,
    }


def run(setup, folder, results, n_jobs, report=print):
    """Run (or resume) both parts, then write and return the results."""
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    text = load_text(setup)
    study = run_memory_study(text, setup, folder, n_jobs, report)
    memory_wall = time.perf_counter() - start
    lm_rows = run_language_models(text, setup, folder, n_jobs, report)
    wall = time.perf_counter() - start
    with open(folder / RUNS, "a") as f:
        f.write(json.dumps({"wall_s": wall, "memory_wall_s": memory_wall}) + "\n")
    runs = [json.loads(line) for line in (folder / RUNS).read_text().splitlines()]
    out = {
        "setup": dataclasses.asdict(setup),
        "text": {
            "n_train_documents": len(text.ids_train),
            "n_test_documents": len(text.ids_test),
            "train_tokens": int((text.ids_train >= 0).sum()),
            "test_tokens": int((text.ids_test >= 0).sum()),
            "longest_test_document": int((text.ids_test >= 0).sum(axis=1).max()),
            "vocab_size": text.vocab_size,
        },
        **summarise(study, lm_rows, setup),
        "time": {
            "wall_s": sum(r["wall_s"] for r in runs),
            "memory_wall_s": sum(r["memory_wall_s"] for r in runs),
            "n_invocations": len(runs),
            "memory_fit_s": sum(r.get("fit_time", 0.0) for r in study.ok_rows()),
            "language_model_s": sum(r.get("time", 0.0) for r in lm_rows),
            "n_jobs": n_jobs,
        },
        "machine": _machine(),
    }
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(out, indent=1) + "\n")
    # As the page reads it: lengths and seeds as keys are strings in JSON.
    return json.loads(results.read_text())


# -- the page and the figure ------------------------------------------------


def _lengths(values):
    return ", ".join(str(k) for k in values) if values else "none"


def _ci(interval, digits):
    mean, low, high = interval
    if not np.isfinite(mean):
        return "-"
    if not np.isfinite(low):
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


def _rho(value):
    return "-" if value is None else f"{value:+.2f}"


def results_rst(out, figure_name):
    """The results section of the page, from the results JSON."""
    setup = Setup(
        **{k: tuple(v) if isinstance(v, list) else v for k, v in out["setup"].items()}
    )
    memory, language = out["memory"], out["language_model"]
    comparison = out["comparison"]
    n_units = len(setup.units)
    lines = [
        "Results",
        "-------",
        "",
        f"The guidance transferred for **{comparison['n_pass']} of {n_units}** units.",
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - unit",
        "     - memory study: recommended",
        "     - memory study: tied",
        "     - language model: best",
        "     - language model: tied",
        "     - passes",
        "     - rho (capacity, perplexity)",
        "     - rho (net probe capacity, perplexity)",
    ]
    for unit in setup.units:
        c = comparison["units"][unit]
        lines += [
            f"   * - {unit}",
            f"     - {memory[unit]['recommended']}",
            f"     - {_lengths(memory[unit]['tied'])}",
            f"     - {language[unit]['best']}",
            f"     - {_lengths(language[unit]['tied'])}",
            f"     - {'yes' if c['passes'] else 'no'}",
            f"     - {_rho(c['spearman_capacity_perplexity'])}",
            f"     - {_rho(c['spearman_net_capacity_perplexity'])}",
        ]
    lines += [
        "",
        f"Per length: the memory study's capacity at L = {setup.eval_len} (tokens), "
        f"the language model's test perplexity at L = {setup.eval_len} and its net "
        "probe capacity, mean and 95 % interval over "
        f"{len(setup.seeds)} seeds.",
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - unit",
        "     - k",
        "     - memory capacity",
        "     - perplexity",
        "     - net probe capacity",
    ]
    for unit in setup.units:
        for k in setup.seq_lens:
            at = language[unit]["by_length"][str(k)]
            lines += [
                f"   * - {unit}",
                f"     - {k}",
                f"     - {_ci(memory[unit]['capacity'][str(k)]['interval'], 1)}",
                f"     - {_ci(at['perplexity']['interval'], 1)}",
                f"     - {_ci(at['net_capacity']['interval'], 3)}",
            ]
    words = out["text"]
    lines += [
        "",
        f"The text gave {words['n_train_documents']} training documents "
        f"({words['train_tokens']:,} words, validation included) and "
        f"{words['n_test_documents']} test documents ({words['test_tokens']:,} "
        f"words; the longest holds {words['longest_test_document']:,} of them, and "
        "perplexity is a mean over words); a vocabulary of "
        f"{words['vocab_size']:,} ids.",
        "",
        f".. image:: {figure_name}",
        "",
        "Per unit:",
        "",
    ]
    for unit in setup.units:
        mem, lm, c = memory[unit], language[unit], comparison["units"][unit]
        verdict = "passes" if c["passes"] else "does not pass"
        where = "inside" if c["passes"] else "outside"
        lines.append(
            f"* {unit} {verdict}: the language model's best length, {lm['best']}, "
            f"lies {where} the memory study's tied set ({_lengths(mem['tied'])}); "
            f"the memory study's recommended length, {mem['recommended']}, is "
            f"{'' if c['recommended_in_lm_tied'] else 'not '}among the language "
            f"model's tied lengths ({_lengths(lm['tied'])})."
        )
    n_rows = len(setup.units) * len(setup.seq_lens) * len(setup.seeds)
    time_ = out["time"]
    lm_converged = sum(language[u]["n_converged"] for u in setup.units)
    mem_converged = sum(memory[u]["n_converged"] for u in setup.units)
    best_updates = [n for u in setup.units for n in language[u]["best_updates"]]
    lines += [
        "",
        f"Training: {mem_converged} of {n_rows} memory configurations and "
        f"{lm_converged} of {n_rows} language models levelled off before their "
        "cap by their plateau rule; the language models' lowest validation "
        f"perplexity came after {min(best_updates)} to {max(best_updates)} "
        f"updates (median {np.median(best_updates):g}).",
        "",
        f"The run took {time_['wall_s'] / 60:.1f} minutes of wall time "
        f"({time_['memory_wall_s'] / 60:.1f} for the memory study) with "
        f"{time_['n_jobs']} workers of one thread on {out['machine']['cpus']} "
        f"cores ({out['machine']['machine']}, torch {out['machine']['torch']}, "
        f"CPU); its configurations trained for {time_['memory_fit_s'] / 60:.1f} "
        f"(memory) and {time_['language_model_s'] / 60:.1f} (language models) "
        "minutes in all.",
        "",
    ]
    return "\n".join(lines)


def write_rst(page, out, figure_name):
    """Replace the page's results section with the one ``out`` gives."""
    text = page.read_text()
    if RST_START not in text or RST_END not in text:
        raise ValueError(f"{page} has no lines {RST_START!r} and {RST_END!r}.")
    head, rest = text.split(RST_START, 1)
    _, tail = rest.split(RST_END, 1)
    page.write_text(
        f"{head}{RST_START}\n\n{results_rst(out, figure_name)}\n{RST_END}{tail}"
    )


def plot(out, path):
    """Capacity and perplexity against the training length, one column a unit."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    units, lengths = out["setup"]["units"], out["setup"]["seq_lens"]
    memory, language = out["memory"], out["language_model"]
    fig, axes = plt.subplots(
        3, len(units), figsize=(3.6 * len(units), 7.6), sharex=True, squeeze=False
    )
    panels = [
        (
            "memory capacity at L (tokens)",
            lambda u, k: memory[u]["capacity"][str(k)],
            lambda u: memory[u]["tied"],
            lambda u: memory[u]["recommended"],
        ),
        (
            "LM perplexity at L",
            lambda u, k: language[u]["by_length"][str(k)]["perplexity"],
            lambda u: language[u]["tied"],
            lambda u: language[u]["best"],
        ),
        (
            "LM net probe capacity",
            lambda u, k: language[u]["by_length"][str(k)]["net_capacity"],
            lambda u: [],
            lambda u: None,
        ),
    ]
    for row, (label, values, tied, chosen) in enumerate(panels):
        for column, unit in enumerate(units):
            ax = axes[row, column]
            mean, low, high = np.array([values(unit, k)["interval"] for k in lengths]).T
            ax.errorbar(
                lengths,
                mean,
                yerr=[mean - low, high - mean],
                marker="o",
                color="C0",
                capsize=3,
            )
            for k, m in zip(lengths, mean, strict=True):
                if k in tied(unit):
                    ax.plot(k, m, "o", color="C1", zorder=3)
                if k == chosen(unit):
                    ax.plot(k, m, "*", color="C3", markersize=14, zorder=4)
            ax.set_xscale("log", base=2)
            ax.set_xticks(lengths, [str(k) for k in lengths])
            if row == 0:
                ax.set_title(unit)
            if column == 0:
                ax.set_ylabel(label)
            if row == 2:
                ax.set_xlabel("training length k")
    fig.suptitle(
        "orange: tied with the best; red star: the memory study's recommended "
        "length (top), the language model's best (middle)",
        fontsize="small",
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path("transfer-study"))
    parser.add_argument("--results", type=Path, default=None)
    parser.add_argument("--figure", type=Path, default=FIGURE)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument(
        "--rst",
        type=Path,
        help="write the results section of this page and the figure from the "
        "results JSON; nothing is trained",
    )
    parser.add_argument("--reduced", action="store_true", help="a tiny run, for tests")
    args = parser.parse_args(argv)
    results = args.results
    if results is None:
        results = args.folder / "transfer.json" if args.reduced else RESULTS
    if args.rst is not None:
        out = json.loads(results.read_text())
        plot(out, args.figure)
        name = os.path.relpath(args.figure, args.rst.parent).replace(os.sep, "/")
        write_rst(args.rst, out, name)
        return out
    setup = REDUCED if args.reduced else FULL
    out = run(setup, args.folder, results, args.n_jobs)
    print(results_rst(out, "figure"))
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
