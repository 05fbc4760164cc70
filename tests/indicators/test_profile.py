"""The memory profile (indicators/_profile.py): its fields, its skill between the
memoryless and the perfect model, its matrix and curves, its checks of input and
padding, its one-line and tabular faces; the indicators import without torch."""

import numpy as np
import pytest
from conftest import T, _onehot

from sklearn_rnnmemory import SemanticEuclideanSpace
from sklearn_rnnmemory.datasets import load_python_reference, make_zipf_sequences
from sklearn_rnnmemory.indicators import (
    last_step_profile,
    memory_profile,
    retention_curve,
    retention_matrix,
)
from sklearn_rnnmemory.testing import linear_memory_model


def test_the_memoryless_and_perfect_models_bound_the_skill(zipf_onehot):
    perfect = memory_profile(zipf_onehot, linear_memory_model(zipf_onehot, np.ones(T)))
    assert perfect.semantic_skill == pytest.approx(1.0)
    assert perfect.semantic_error == pytest.approx(0.0, abs=1e-12)
    assert perfect.semantic_similarity == pytest.approx(1.0)
    memoryless = memory_profile(
        zipf_onehot, linear_memory_model(zipf_onehot, [0.0], forgotten="expected")
    )
    assert memoryless.semantic_skill == pytest.approx(0.0, abs=1e-12)
    # The baselines are what the memoryless model scores, beside any model.
    assert memoryless.semantic_error == pytest.approx(memoryless.baseline_error)
    assert memoryless.semantic_similarity == pytest.approx(
        memoryless.baseline_similarity
    )
    assert perfect.baseline_error == pytest.approx(memoryless.baseline_error)
    # Forgetting and outputting nothing in its place is worse than memoryless.
    zero = memory_profile(zipf_onehot, np.zeros_like(zipf_onehot))
    assert zero.semantic_skill < 0
    assert zero.memory_capacity == 0.0


def test_a_linear_integrator_is_full_in_the_space_and_blind_to_the_probe():
    # 8 dimensions, 50 tokens: the state is the running sum of the points, so
    # the semantics is held exactly, but no single token can be read back.
    tokens = make_zipf_sequences(600, 30, vocab_size=50, exponent=0.0, random_state=4)
    points = SemanticEuclideanSpace("random", dim=8, random_state=0).fit_transform(
        tokens
    )
    running_sum = np.cumsum(points, axis=1)
    profile = memory_profile(points, running_sum, states=running_sum)
    assert profile.memory_capacity == pytest.approx(30.0, abs=1e-6)
    assert profile.probe_capacity < 0.1 * 30
    # A delay line of the last 3 points is read back well by the probe.
    delay = np.concatenate(
        [
            np.roll(points, k, axis=1) * (np.arange(30) >= k)[None, :, None]
            for k in range(4)
        ],
        axis=2,
    )
    keep = linear_memory_model(points, np.ones(4))
    assert memory_profile(points, keep, states=delay).probe_capacity > 2.0


@pytest.mark.parametrize("composition", ["sum", "mean"])
def test_retention_matrix_holds_every_step(composition):
    points = _onehot(make_zipf_sequences(300, 8, vocab_size=20, random_state=7), 20)
    points[150:, 5:] = np.nan  # windows of two lengths
    predicted = linear_memory_model(points, [1.0, 1.0, 0.5], composition=composition)
    matrix = retention_matrix(points, predicted, composition=composition)
    t, p = np.indices((8, 8))
    expected = np.select([t - p < 0, t - p < 2, t - p == 2], [np.nan, 1.0, 0.5], 0.0)
    np.testing.assert_allclose(matrix, expected, atol=1e-9)


def test_retention_curve_and_last_step_profile_agree_with_the_profile(zipf_onehot):
    predicted = linear_memory_model(
        zipf_onehot, 0.85 ** np.arange(T), noise=0.2, random_state=1
    )
    profile = memory_profile(zipf_onehot, predicted)
    np.testing.assert_array_equal(
        retention_curve(zipf_onehot, predicted), profile.retention_curve
    )
    direct = last_step_profile(zipf_onehot, predicted[:, -1])
    np.testing.assert_equal(direct.to_dict(), profile.to_dict())


def test_profile_fields_and_plain_dict(zipf_onehot):
    profile = memory_profile(zipf_onehot, linear_memory_model(zipf_onehot, np.ones(5)))
    out = profile.to_dict()
    assert {
        "memory_capacity",
        "memory_capacity_ci",
        "memory_span",
        "span_start",
        "retention_curve",
        "retention_stderr",
        "semantic_skill",
        "baseline_error",
        "baseline_similarity",
        "probe_capacity",
        "probe_baseline",
        "probe_net_capacity",
    } <= set(out)
    assert out["retention_curve"][:5] == pytest.approx([1.0] * 5)
    assert isinstance(out["memory_capacity_ci"], list)
    assert np.isnan(out["probe_capacity"])  # no states given
    assert np.isnan(out["probe_baseline"]) and np.isnan(out["probe_net_capacity"])


def test_two_dimensional_inputs_are_scalar_sequences():
    rng = np.random.default_rng(3)
    points = rng.normal(size=(50, 8))
    curve_2d = retention_curve(points, np.cumsum(points, axis=1))
    curve_3d = retention_curve(points[..., None], np.cumsum(points, axis=1)[..., None])
    np.testing.assert_array_equal(curve_2d, curve_3d)


@pytest.mark.parametrize(
    "points, predicted, kwargs, message",
    [
        (np.ones((2, 3, 4)), np.ones((2, 3, 5)), {}, "must have the shape of points"),
        (
            np.ones((2, 3, 4)),
            np.full((2, 3, 4), np.nan),
            {},
            r"predicted\[0, 0\] is NaN",
        ),
        (np.ones((2, 3, 4)), np.ones((2, 3, 4)), {"composition": "max"}, "composition"),
        (np.ones((2, 3, 4)), np.ones((2, 3, 4)), {"threshold": 0}, "threshold"),
        (np.ones((2, 3, 4)), np.ones((2, 3, 4)), {"threshold": 1.5}, "threshold"),
        (np.ones((2, 3, 4)), np.ones((2, 3, 4)), {"alpha": 1.5}, "alpha"),
        (np.ones((2, 3, 4)), np.ones((2, 3, 4)), {"confidence": 0}, "confidence"),
        (
            np.ones((2, 3, 4)),
            np.ones((2, 3, 4)),
            {"states": np.ones((2, 4, 1))},
            "states",
        ),
        (np.ones(4), np.ones(4), {}, "shape"),
        (np.ones((1, 3, 2)), np.ones((1, 3, 2)), {}, "need at least 10"),
    ],
)
def test_bad_input_raises_a_named_value_error(points, predicted, kwargs, message):
    with pytest.raises(ValueError, match=message):
        memory_profile(points, predicted, **kwargs)


def test_padding_errors_name_the_step():
    points = np.ones((2, 4, 3))
    points[1, 1] = np.nan
    with pytest.raises(ValueError, match=r"points\[1, 1\] is NaN padding followed"):
        retention_curve(points, points)
    points = np.ones((2, 4, 3))
    points[0, 2, 1] = np.nan
    with pytest.raises(ValueError, match=r"points\[0, 2\] is partly NaN"):
        retention_curve(points, points)


def _with_unknown_windows(composition="sum"):
    """200 windows of 6 onehot tokens, every fourth of unknown tokens only
    (zero points, as ``handle_unknown="ignore"`` gives), and their S_T."""
    points = _onehot(make_zipf_sequences(200, 6, vocab_size=8, random_state=4), 8)
    points[::4] = 0.0
    weight = 1.0 if composition == "sum" else 1.0 / 6
    return points, weight * points.sum(axis=1)


@pytest.mark.parametrize("composition", ["sum", "mean"])
def test_windows_of_unknown_tokens_have_zero_semantics_exactly(composition):
    from sklearn_rnnmemory.indicators._regression import regress_last_step

    points, semantics = _with_unknown_windows(composition)
    _, rows, target = regress_last_step(
        points, points.sum(axis=1), composition, np.full(200, 6)
    )
    np.testing.assert_array_equal(rows, np.arange(200))
    np.testing.assert_array_equal(target, semantics)  # 0.0 where unknown, not 1e-16
    assert (target[::4] == 0).all()


@pytest.mark.parametrize("composition", ["sum", "mean"])
def test_semantic_error_and_similarity_on_windows_of_unknown_tokens(composition):
    points, semantics = _with_unknown_windows(composition)
    half = np.repeat(0.5 * semantics[:, None], 6, axis=1)  # S^_T = S_T / 2
    profile = memory_profile(points, half, composition=composition)
    # sum ||S - S/2|| / sum ||S||: the unknown windows add 0 to both sums.
    assert profile.semantic_error == pytest.approx(0.5, abs=1e-12)
    assert profile.semantic_similarity == pytest.approx(1.0, abs=1e-12)
    spread = np.sum((semantics - semantics.mean(axis=0)) ** 2)
    skill = 1 - np.sum((semantics / 2) ** 2) / spread
    assert profile.semantic_skill == pytest.approx(skill, abs=1e-12)

    # Where it read nothing, a model that outputs a unit vector adds its whole
    # error (1 per such window) to the sum, and nothing else.
    half[::4, -1] = np.eye(8)[0]
    profile = memory_profile(points, half, composition=composition)
    total = np.linalg.norm(semantics, axis=1).sum()
    expected = (0.5 * total + 50) / total
    assert profile.semantic_error == pytest.approx(expected, rel=1e-12)
    assert profile.semantic_similarity == pytest.approx(1.0, abs=1e-12)
    assert np.isfinite(profile.baseline_error) and profile.baseline_error < 2


def test_semantic_scores_are_of_the_order_of_one_on_text_with_unknown_words():
    # The README's setting: random points, unknown words read as zero points,
    # windows of 8 (some of them of unknown words only).
    sentences = load_python_reference(split="sentences")[:400]
    space = SemanticEuclideanSpace(
        "random", dim=32, max_vocab=60, handle_unknown="ignore", random_state=0
    ).fit(sentences[:200])
    from sklearn_rnnmemory._sequences import cut_windows

    windows, _ = cut_windows(space.transform(sentences[200:]), 8)
    known = np.nan_to_num(windows).any(axis=2).any(axis=1)
    assert not known.all()  # windows of unknown words only
    predicted = linear_memory_model(windows, 0.9 ** np.arange(8), forgotten="expected")
    predicted += 0.01  # off by a little everywhere, also where nothing was read
    profile = memory_profile(windows, predicted)
    assert 0 < profile.semantic_error < 1
    assert 0 < profile.baseline_error < 2
    assert -1 <= profile.baseline_similarity <= profile.semantic_similarity <= 1


def test_a_profile_reads_in_one_line_and_one_table(zipf_onehot, monkeypatch):
    from sklearn_rnnmemory.indicators import _profile

    profile = memory_profile(zipf_onehot, linear_memory_model(zipf_onehot, np.ones(5)))
    text = repr(profile)
    # One line of the scalar indicators, not the per-lag arrays.
    assert "\n" not in text and len(text) < 400 and "array" not in text
    assert text.startswith("MemoryProfile(memory_capacity=5.0, ")
    assert "memory_span=5.0, " in text and text.endswith(
        ", n_windows=400, n_clusters=400)"
    )

    lines = profile.summary().splitlines()
    assert lines[0].split() == ["indicator", "value", "memoryless"]
    table = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert list(table) == list(_profile.SHOWN)
    assert table["memory_capacity"] == ["5.000", "0.000"]
    assert table["semantic_error"] == [
        f"{profile.semantic_error:.3f}",
        f"{profile.baseline_error:.3f}",
    ]
    assert table["n_windows"] == ["400"]
    assert table["explained_share"] == ["1.000"]  # linear in its tokens
    # A new field shows with one entry.
    monkeypatch.setitem(_profile.SHOWN, "threshold", None)
    assert profile.summary().splitlines()[-1].split() == ["threshold", "0.500"]
    assert repr(profile).endswith(", threshold=0.5)")


def test_profiles_stack_into_a_pandas_table(zipf_onehot, monkeypatch):
    pd = pytest.importorskip("pandas")
    keeps = {m: linear_memory_model(zipf_onehot, np.ones(m)) for m in (3, 7)}
    profiles = {m: memory_profile(zipf_onehot, keeps[m]) for m in keeps}
    table = pd.concat([profiles[m].to_frame(index=m) for m in profiles])
    assert list(table.index) == [3, 7]
    np.testing.assert_allclose(table["memory_capacity"], [3.0, 7.0])
    assert table.loc[7, "capacity_ci_low"] == profiles[7].memory_capacity_ci[0]
    assert table.loc[3, "baseline_error"] == profiles[3].baseline_error
    assert table.loc[3, "n_windows"] == 400
    assert "retention_curve" not in table  # per-lag arrays: to_dict()
    monkeypatch.setitem(__import__("sys").modules, "pandas", None)
    with pytest.raises(ImportError, match="to_frame needs pandas"):
        profiles[3].to_frame()


def test_the_indicators_import_without_torch():
    import subprocess
    import sys

    code = (
        "import sys, sklearn_rnnmemory.indicators as i; "
        "loaded = sorted({'torch', 'skorch'} & set(sys.modules)); "
        "print(loaded, callable(i.memory_profile))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert out.split() == ["[]", "True"]
