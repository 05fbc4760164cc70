"""The training path: lean skorch nets, batches, loss, step budget, fast paths."""

import numpy as np
import pytest
import torch
from conftest import token_points
from skorch import NeuralNetRegressor
from skorch.callbacks import Callback, GradientNormClipping

from sklearn_rnnmemory import (
    RecurrentClassifier,
    RecurrentLanguageModel,
    RecurrentMemoryRegressor,
)
from sklearn_rnnmemory._composition import compose
from sklearn_rnnmemory._sequences import check_sequences, cut_windows
from sklearn_rnnmemory._torch.batches import BatchOrder, WindowBatches
from sklearn_rnnmemory._torch.losses import MaskedSemanticLoss
from sklearn_rnnmemory._torch.optimizers import supports_fused
from sklearn_rnnmemory._torch.skorch_nets import MemoryNet
from sklearn_rnnmemory._torch.tasks import SemanticReader


class CountBatches(Callback):
    def initialize(self):
        self.events = []
        return self

    def on_batch_begin(self, net, batch=None, training=None, **kwargs):
        self.events.append(("begin", training))

    def on_grad_computed(self, net, named_parameters, **kwargs):
        self.events.append(("grad", sum(1 for _ in named_parameters)))

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        self.events.append(("end", training))


def _train(net_class, X, y, callbacks=()):
    torch.manual_seed(0)
    net = net_class(
        SemanticReader,
        module__unit="gru",
        module__input_size=X.shape[2],
        module__hidden_size=6,
        module__num_layers=1,
        module__n_outputs=X.shape[2],
        criterion=MaskedSemanticLoss,
        criterion__masked=False,
        max_epochs=3,
        batch_size=16,
        lr=0.01,
        optimizer=torch.optim.Adam,
        train_split=None,
        callbacks=list(callbacks),
        verbose=0,
    )
    return net.fit(X, y)


def test_lean_net_trains_exactly_like_skorch_and_calls_every_hook():
    X = token_points(48, 6, vocab_size=5)
    y = compose(X).astype(np.float32)
    counter = CountBatches()
    lean = _train(MemoryNet, X, y, [("count", counter), GradientNormClipping(0.1)])
    plain = _train(NeuralNetRegressor, X, y, [GradientNormClipping(0.1)])
    for a, b in zip(lean.module_.parameters(), plain.module_.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert lean.history[:, "train_loss"] == plain.history[:, "train_loss"]
    # 3 epochs of 3 batches; the GRU and the readout have 6 parameter tensors
    assert counter.events == [("begin", True), ("grad", 6), ("end", True)] * 9


def test_lean_net_puts_modules_back_in_training_mode():
    X = token_points(32, 5, vocab_size=4)
    model = RecurrentMemoryRegressor(
        "gru", hidden_size=4, max_epochs=1, device="cpu", random_state=0
    ).fit(X)
    model.predict(X)  # leaves the module in eval mode
    assert not model.net_.module_.training
    model.net_.partial_fit(np.nan_to_num(X), compose(X).astype(np.float32))
    assert model.net_.module_.training


class PlainSGD(torch.optim.SGD):
    """An optimizer that takes no ``fused`` option."""

    def __init__(self, params, lr=0.01):
        super().__init__(params, lr=lr)


def test_fused_optimizer_where_torch_has_one():
    X = token_points(32, 5, vocab_size=4)
    model = RecurrentMemoryRegressor(
        "gru", hidden_size=4, max_epochs=1, device="cpu", random_state=0
    ).fit(X)
    fused = supports_fused(torch.optim.Adam, "cpu")
    assert model.net_.optimizer_.defaults["fused"] is (True if fused else None)
    assert not supports_fused(PlainSGD, "cpu")
    model = RecurrentMemoryRegressor(
        "gru", hidden_size=4, max_epochs=1, optimizer=PlainSGD, device="cpu"
    ).fit(X)
    assert type(model.net_.optimizer_) is PlainSGD


def test_unmasked_loss_equals_the_masked_loss_with_every_step_valid():
    rng = np.random.default_rng(0)
    pred = torch.as_tensor(rng.normal(size=(4, 7, 3)))
    true = torch.as_tensor(rng.normal(size=(4, 7, 3)))
    with_mask = torch.cat([true, torch.ones(4, 7, 1, dtype=true.dtype)], -1)
    expected = ((pred - true) ** 2).sum(-1).mean()
    torch.testing.assert_close(MaskedSemanticLoss(masked=False)(pred, true), expected)
    torch.testing.assert_close(MaskedSemanticLoss()(pred, with_mask), expected)
    with_mask[0, 4:, -1] = 0  # padding: those steps leave the mean
    valid = with_mask[..., -1] > 0
    masked = ((pred - true) ** 2).sum(-1)[valid].mean()
    torch.testing.assert_close(MaskedSemanticLoss()(pred, with_mask), masked)


def test_fit_without_padding_trains_without_a_mask(points):
    full = points[~np.isnan(points).any(axis=(1, 2))]
    model = RecurrentMemoryRegressor(
        "gru", hidden_size=4, max_epochs=1, device="cpu"
    ).fit(full)
    assert model.net_.criterion_.masked is False
    assert (
        RecurrentMemoryRegressor("gru", hidden_size=4, max_epochs=1, device="cpu")
        .fit(points)
        .net_.criterion_.masked
        is True
    )


@pytest.mark.parametrize("composition", ["sum", "mean"])
def test_compose_without_padding_matches_and_keeps_float32(composition):
    X = token_points(5, 6, vocab_size=4)
    np.testing.assert_allclose(
        compose(X, composition, padded=False), compose(X, composition), rtol=1e-6
    )
    assert compose(X, composition, padded=False).dtype == np.float32
    assert compose(X, composition).dtype == np.float32


def test_sequences_without_padding_are_neither_copied_nor_recut():
    X = token_points(5, 6, vocab_size=4)
    assert check_sequences(X, dtype=np.float32) is X
    windows, origin = cut_windows(X, 6)
    assert windows is X
    np.testing.assert_array_equal(origin, [[i, 0] for i in range(5)])
    padded = X.copy()
    padded[0, 4:] = np.nan  # still one window per sequence
    assert cut_windows(padded, 6)[0] is padded
    padded[1] = np.nan  # a sequence of padding only gives no window
    windows, origin = cut_windows(padded, 6)
    np.testing.assert_array_equal(windows, padded[[0, 2, 3, 4]])
    np.testing.assert_array_equal(origin[:, 0], [0, 2, 3, 4])


def test_windows_never_reach_past_the_longest_sequence():
    X = token_points(5, 6, vocab_size=4)
    X[:, 4:] = np.nan  # the longest sequence has 4 steps
    X[2] = np.nan
    for seq_len in (4, 7, 10**9):
        windows, origin = cut_windows(X, seq_len)
        assert windows.shape == (4, 4, 4)
        np.testing.assert_array_equal(windows, X[[0, 1, 3, 4], :4])
        np.testing.assert_array_equal(origin, [[0, 0], [1, 0], [3, 0], [4, 0]])
    windows, origin = cut_windows(X, 3)  # shorter than the data: cut and padded
    assert windows.shape == (8, 3, 4) and np.isnan(windows[1, 1:]).all()
    full = token_points(3, 5, vocab_size=4)
    assert cut_windows(full, 10**9)[0] is full


def test_sequences_without_a_step_are_refused():
    with pytest.raises(ValueError, match=r"X has sequences of no step \(shape"):
        check_sequences(np.empty((3, 0, 2)))


def test_batches_shuffle_every_pass_and_cover_every_window():
    dataset = torch.utils.data.TensorDataset(torch.arange(10.0))
    dataset.X, dataset.y = torch.arange(10.0)[:, None], torch.arange(10.0)
    torch.manual_seed(0)
    batches = WindowBatches(dataset, batch_size=4, shuffle=True)
    passes = [torch.cat([y for _, y in batches]) for _ in range(2)]
    for seen in passes:
        assert sorted(seen.tolist()) == list(range(10))
    assert passes[0].tolist() != passes[1].tolist()
    assert [len(x) for x, _ in WindowBatches(dataset, batch_size=4)] == [4, 4, 2]


def test_batch_budget_spans_passes():
    dataset = torch.utils.data.TensorDataset(torch.arange(10.0))
    dataset.X, dataset.y = torch.arange(10.0)[:, None], None
    batches = WindowBatches(dataset, batch_size=4, max_batches=5)
    assert [len(list(batches)) for _ in range(3)] == [3, 2, 0]


def test_batch_order_resumes_a_pass_cut_short():
    # 10 windows in batches of 4: 3 batches a pass. Drawn in calls of 2, 3 and
    # 2 batches, they are the batches of one run of 7.
    def draws(budgets):
        torch.manual_seed(0)
        order, batches = BatchOrder(4), []
        for budget in budgets:
            order.budget = budget
            for _ in range(order.passes_for(budget, 10)):
                batches += [index.tolist() for index in order.next_pass(10)]
        return batches

    whole = draws([7])
    assert draws([2, 3, 2]) == whole
    assert [len(b) for b in whole] == [4, 4, 2] * 2 + [4]
    # the first pass is the permutation torch.randperm draws at that point
    torch.manual_seed(0)
    assert sum(whole[:3], []) == torch.randperm(10).tolist()
    assert BatchOrder(4).passes_for(7, 10) == 3


def test_advance_continues_training_as_if_it_had_not_stopped(points):
    # 64 sequences of 12 in windows of 4: 192 windows, 153 once 20 % are held
    # out, 10 batches a pass; the rounds end inside passes.
    options = dict(
        hidden_size=5,
        seq_len=4,
        batch_size=16,
        validation_fraction=0.2,
        max_grad_norm=0.5,
        device="cpu",
        random_state=3,
    )
    whole = RecurrentMemoryRegressor("gru", max_steps=23, **options).fit(points)
    rounds = RecurrentMemoryRegressor("gru", max_steps=5, **options).fit(points)
    assert rounds._advance(points, 11) is rounds
    rounds._advance(points, 7)
    assert rounds.n_updates_ == whole.n_updates_ == 23
    for name, value in whole.net_.module_.state_dict().items():
        assert torch.equal(rounds.net_.module_.state_dict()[name], value), name
    losses = [
        [b["train_loss"] for e in m.history_ for b in e["batches"] if "train_loss" in b]
        for m in (whole, rounds)
    ]
    assert losses[0] == losses[1]
    # the history's epochs end where each call ended
    assert rounds.history_[:, "train_batch_count"] == [5, 5, 6, 4, 3]
    assert whole.history_[:, "train_batch_count"] == [10, 10, 3]
    with pytest.raises(ValueError, match="continue training on the data it was"):
        rounds._advance(points[:40], 3)


def test_language_model_advance_continues_training_as_if_it_had_not_stopped():
    # 20 sequences of 31 ids in windows of 6 next-token pairs: 100 windows,
    # 13 batches of 8 a pass; the rounds end inside passes.
    ids = np.random.default_rng(0).integers(0, 7, size=(20, 31))
    options = dict(
        hidden_size=5,
        embedding_dim=4,
        seq_len=6,
        batch_size=8,
        device="cpu",
        random_state=3,
    )
    whole = RecurrentLanguageModel("gru", max_steps=23, **options).fit(ids)
    rounds = RecurrentLanguageModel("gru", max_steps=5, **options).fit(ids)
    assert rounds._advance(ids, 11) is rounds
    rounds._advance(ids, 7)
    assert rounds.n_updates_ == whole.n_updates_ == 23
    for name, value in whole.net_.module_.state_dict().items():
        assert torch.equal(rounds.net_.module_.state_dict()[name], value), name
    assert rounds.perplexity(ids) == whole.perplexity(ids)
    with pytest.raises(ValueError, match="continue training on the data it was"):
        rounds._advance(ids[:10], 3)


@pytest.mark.parametrize(
    "seq_len, validation_fraction, epochs, batches",
    [
        (5, None, 1, [7]),  # 8 windows a sequence: 13 batches a pass
        (20, None, 2, [4, 3]),  # 2 windows a sequence: 4 batches a pass
        (40, None, 4, [2, 2, 2, 1]),
        (20, 0.2, 3, [3, 3, 1]),  # 40 of 200 windows held out: 3 batches a pass
    ],
)
def test_max_steps_gives_every_length_the_same_number_of_updates(
    seq_len, validation_fraction, epochs, batches
):
    X = token_points(100, 40, vocab_size=5)
    model = RecurrentMemoryRegressor(
        "gru",
        hidden_size=4,
        seq_len=seq_len,
        max_steps=7,
        max_epochs=100,
        validation_fraction=validation_fraction,
        device="cpu",
        random_state=0,
    ).fit(X)
    assert model.net_.max_epochs == epochs
    assert model.history_[:, "train_batch_count"] == batches


def test_max_steps_in_the_classifier_and_the_language_model():
    rng = np.random.default_rng(0)
    X = token_points(70, 6, vocab_size=4)
    y = rng.integers(0, 2, 70)
    clf = RecurrentClassifier(
        "gru", hidden_size=4, max_steps=5, batch_size=32, device="cpu"
    ).fit(X, y)
    assert clf.history_[:, "train_batch_count"] == [3, 2]
    ids = rng.integers(0, 6, size=(20, 11)).astype(float)
    lm = RecurrentLanguageModel(
        "gru", hidden_size=4, seq_len=5, max_steps=4, batch_size=8, device="cpu"
    ).fit(ids)
    assert lm.history_[:, "train_batch_count"] == [4]


@pytest.mark.parametrize("bad", [0, -2, 1.5, "10"])
def test_bad_max_steps_raise_a_named_value_error(points, bad):
    with pytest.raises(
        ValueError,
        match=r"The 'max_steps' parameter of RecurrentMemoryRegressor must be an "
        r"int in the range \[1, inf\) or None",
    ):
        RecurrentMemoryRegressor(max_steps=bad, device="cpu").fit(points)
