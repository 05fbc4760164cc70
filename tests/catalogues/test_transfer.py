"""The transfer comparison (benchmarks/transfer.py): its criterion on a known
case, and its reduced run end to end: rows, resuming, the page."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from sklearn_rnnmemory.study import StudyResult

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "transfer.py"


@pytest.fixture(scope="module")
def transfer():
    spec = importlib.util.spec_from_file_location("transfer", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _memory_rows(capacities):
    return [
        {
            "unit": unit,
            "seq_len": k,
            "seed": seed,
            "hidden_size": 32,
            "eval_len": 20,
            "status": "ok",
            "converged": True,
            "memory_capacity": value,
        }
        for unit, by_length in capacities.items()
        for k, values in by_length.items()
        for seed, value in enumerate(values)
    ]


def _language_rows(perplexities):
    return [
        {
            "unit": unit,
            "seq_len": k,
            "seed": seed,
            "status": "ok",
            "converged": seed != 2,
            "best_updates": 480,
            "perplexity": value,
            "net_capacity": 0.1 * k,
        }
        for unit, by_length in perplexities.items()
        for k, values in by_length.items()
        for seed, value in enumerate(values)
    ]


def test_the_criterion_on_a_known_case(transfer):
    setup = transfer.Setup(
        units=("rnn", "gru"), seq_lens=(5, 10, 20), seeds=(0, 1, 2), eval_len=20
    )
    study = StudyResult(
        _memory_rows(
            {
                # best 10; 20 within the seeds' noise (tied), 5 below by 10
                # on every seed (not tied); saturation: 10.
                "rnn": {5: [10, 11, 12], 10: [20, 21, 22], 20: [19.8, 21.5, 21.0]},
                # 20 far ahead: tied alone.
                "gru": {5: [5, 6, 7], 10: [10, 11, 12], 20: [30, 31, 33]},
            }
        )
    )
    lm_rows = _language_rows(
        {
            # lowest at 20, every other length above it on every seed.
            "rnn": {5: [300, 310, 305], 10: [280, 290, 285], 20: [250, 262, 255]},
            # lowest at 5, 10 within noise of it, 20 above.
            "gru": {5: [200, 205, 210], 10: [204, 203, 212], 20: [240, 250, 255]},
        }
    )
    out = transfer.summarise(study, lm_rows, setup)
    memory, language = out["memory"], out["language_model"]
    assert (memory["rnn"]["recommended"], memory["rnn"]["tied"]) == (10, [10, 20])
    assert (memory["gru"]["recommended"], memory["gru"]["tied"]) == (20, [20])
    assert (language["rnn"]["best"], language["rnn"]["tied"]) == (20, [20])
    assert (language["gru"]["best"], language["gru"]["tied"]) == (5, [5, 10])
    comparison = out["comparison"]
    # rnn: 20 is in the memory study's tied set; gru: 5 is not.
    assert comparison["units"]["rnn"]["passes"] is True
    assert comparison["units"]["gru"]["passes"] is False
    assert comparison["n_pass"] == 1
    assert comparison["units"]["rnn"]["recommended_in_lm_tied"] is False
    # Ranks of the means over k = 5, 10, 20: capacity 1 3 2, perplexity
    # 3 2 1: rho = 1 - 6 * 6 / (3 * 8) = -0.5. The net capacity (k / 10)
    # rises as the perplexity falls: -1.
    units = comparison["units"]
    assert units["rnn"]["spearman_capacity_perplexity"] == pytest.approx(-0.5)
    assert units["rnn"]["spearman_net_capacity_perplexity"] == pytest.approx(-1.0)
    assert units["gru"]["spearman_capacity_perplexity"] == pytest.approx(1.0)
    perplexity = language["rnn"]["by_length"][20]["perplexity"]["interval"]
    assert perplexity[0] == pytest.approx(255.666, abs=1e-3)
    assert perplexity[1] < perplexity[0] < perplexity[2]
    assert language["rnn"]["n_converged"] == 6  # seed 2 of each length did not


def test_the_reduced_run_resumes_and_writes_the_page(transfer, tmp_path, monkeypatch):
    folder = tmp_path / "run"
    setup = transfer.REDUCED
    out = transfer.main(["--reduced", "--folder", str(folder), "--n-jobs", "1"])
    grid = {
        (unit, k, seed)
        for unit in setup.units
        for k in setup.seq_lens
        for seed in setup.seeds
    }
    memory_lines = (folder / "memory.jsonl").read_text()
    lm_lines = (folder / "language_models.jsonl").read_text().splitlines()
    assert len(memory_lines.splitlines()) == len(lm_lines) == len(grid) == 8
    rows = [json.loads(line) for line in lm_lines]
    assert {(r["unit"], r["seq_len"], r["seed"]) for r in rows} == grid
    vocab_size = out["text"]["vocab_size"]
    for row in rows:
        assert row["status"] == "ok"
        # Trained: far better than the uniform guess over the vocabulary.
        assert 1 < row["perplexity"] < vocab_size / 2
        assert row["n_updates"] == setup.max_steps  # 16 updates reach the cap
        # measured every 4 updates; the weights at the lowest are kept
        updates, curve = np.transpose(row["valid_curve"])
        assert updates.tolist() == [4, 8, 12, 16]
        assert row["best_updates"] == updates[np.argmin(curve)]
        assert row["valid_perplexity"] == pytest.approx(curve.min(), abs=1e-3)
        # the plateau rule follows the lowest validation perplexity so far
        assert [u for u, _ in row["trajectory"]] == [4, 8, 16]
        lowest = np.minimum.accumulate(curve)
        assert [p for _, p in row["trajectory"]] == pytest.approx(
            [lowest[0], lowest[1], lowest[3]], abs=1e-3
        )
    for unit in setup.units:
        passes = out["language_model"][unit]["best"] in out["memory"][unit]["tied"]
        assert out["comparison"]["units"][unit]["passes"] == passes
    assert out["comparison"]["n_pass"] == sum(
        u["passes"] for u in out["comparison"]["units"].values()
    )

    # A run stopped while writing its last row: that configuration alone
    # trains again; the memory study's rows are kept as they are.
    path = folder / "language_models.jsonl"
    path.write_text("\n".join(lm_lines[:-1]) + "\n" + lm_lines[-1][:40])
    trained = []
    train = transfer.train_language_model

    def counted(unit, seq_len, seed, *args):
        trained.append((unit, seq_len, seed))
        return train(unit, seq_len, seed, *args)

    monkeypatch.setattr(transfer, "train_language_model", counted)
    transfer.main(["--reduced", "--folder", str(folder), "--n-jobs", "1"])
    last = json.loads(lm_lines[-1])
    assert trained == [(last["unit"], last["seq_len"], last["seed"])]
    assert (folder / "memory.jsonl").read_text() == memory_lines
    again = path.read_text().splitlines()
    assert again[:-1] == lm_lines[:-1]
    assert json.loads(again[-1])["perplexity"] == last["perplexity"]  # seeded

    settings = transfer.language_model_settings(
        transfer.Setup(**{**vars(setup), "lr": 0.5}),
        transfer.load_text(setup),
    )
    with pytest.raises(ValueError, match="holds rows of other settings"):
        transfer.read_rows(path, settings)

    page = tmp_path / "page.rst"
    page.write_text(
        f"Title\n=====\n\nBefore.\n\n{transfer.RST_START}\n\nAwaiting the run.\n\n"
        f"{transfer.RST_END}\n\nAfter.\n"
    )
    figure = tmp_path / "figures" / "transfer.png"
    results = folder / "transfer.json"
    argv = ["--rst", str(page), "--results", str(results), "--figure", str(figure)]
    transfer.main(argv)
    text = page.read_text()
    assert text.startswith("Title\n=====\n\nBefore.") and text.endswith("After.\n")
    assert "Awaiting the run." not in text
    n_pass = out["comparison"]["n_pass"]
    assert f"transferred for **{n_pass} of 2** units" in text
    assert ".. image:: figures/transfer.png" in text
    assert figure.stat().st_size > 10_000
    transfer.main(argv)  # written again, the same page
    assert page.read_text() == text
