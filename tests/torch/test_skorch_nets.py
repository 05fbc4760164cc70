"""The lean skorch nets (_torch/skorch_nets.py): the same training as skorch's, every
hook called."""

import numpy as np
import torch
from conftest import token_points
from skorch import NeuralNetRegressor
from skorch.callbacks import Callback, GradientNormClipping

from sklearn_rnnmemory import RecurrentMemoryRegressor
from sklearn_rnnmemory._composition import compose
from sklearn_rnnmemory._torch.losses import MaskedSemanticLoss
from sklearn_rnnmemory._torch.networks import SemanticReader
from sklearn_rnnmemory._torch.skorch_nets import MemoryNet


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
