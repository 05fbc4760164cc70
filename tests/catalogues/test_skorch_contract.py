"""What the library's skorch nets rely on in skorch, pinned to skorch 1.4.

``sklearn_rnnmemory._torch.skorch_nets`` overrides skorch's ``notify`` and
private ``_set_training``, relies on what its ``partial_fit`` catches, extends
its pickling, reads its private ``_modules`` and ``_criteria``, and feeds it
``WindowBatches`` as its iterator. Each member below was read for the installed
skorch 1.4.x; its signature and a hash of its source are recorded here. When
skorch changes one, this test fails and says what to re-check before the new
values are recorded.
"""

import hashlib
import inspect

import numpy as np
import pytest
import skorch
from skorch import NeuralNet
from skorch.callbacks import Callback

from sklearn_rnnmemory import RecurrentMemoryRegressor

#: owner.member -> (signature, first 16 hex digits of the source's sha256,
#: what to re-check in sklearn_rnnmemory/_torch/skorch_nets.py when it changes)
RECORDED = {
    "NeuralNet.notify": (
        "(self, method_name, **cb_kwargs)",
        "0978c15227fec2fb",
        "_LeanBatchesMixin.notify replaces it for the batch events: it must "
        "still call the net's own hook, then every callback's, in order",
    ),
    "NeuralNet._set_training": (
        "(self, training=True)",
        "b0ed08de6e36e79d",
        "_LeanBatchesMixin._set_training overrides it: it must still switch "
        "every module and criterion of _modules + _criteria",
    ),
    "NeuralNet.__getstate__": (
        "(self)",
        "9d204c0cd36c4181",
        "_LeanBatchesMixin.__getstate__ drops its listener cache from the state",
    ),
    "NeuralNet.__setstate__": (
        "(self, state)",
        "c2e42c6714707cc5",
        "_LeanBatchesMixin.__setstate__ turns AttributeError and ImportError "
        "into a message about units defined in __main__",
    ),
    "NeuralNet.initialize_callbacks": (
        "(self)",
        "e8e93b0d6b69c626",
        "the listener cache is keyed on the callbacks_ list, which must be a "
        "new list whenever callbacks are initialized again",
    ),
    "NeuralNet.run_single_epoch": (
        "(self, iterator, training, prefix, step_fn, **fit_params)",
        "f20ccfd4d8a09fc7",
        "the batch events it notifies are the ones _BATCH_EVENTS lists",
    ),
    "NeuralNet.train_step": (
        "(self, batch, **fit_params)",
        "599ae7a8d41ece01",
        "it notifies on_grad_computed, one of _BATCH_EVENTS",
    ),
    "NeuralNet.get_iterator": (
        "(self, dataset, training=False)",
        "5d6453e5664ecf91",
        "WindowBatches is built as iterator(dataset, batch_size=..., "
        "shuffle=..., max_batches=...) and must take what it passes",
    ),
    "NeuralNet.on_batch_begin": (
        "(self, net, batch=None, training=False, **kwargs)",
        "5d2e59eba64b59fd",
        "the net's own batch hook, which the lean path still calls",
    ),
    "NeuralNet.partial_fit": (
        "(self, X, y=None, classes=None, **fit_params)",
        "0197dfa48daeafc8",
        "it catches KeyboardInterrupt from fit_loop (EarlyStopping's signal) "
        "and keeps the model; TrainingInterrupted, which ctrl_c_stops_training "
        "raises on Ctrl-C, must still pass it, so that fit stops",
    ),
    "Callback.on_batch_begin": (
        "(self, net, batch=None, training=None, **kwargs)",
        "e501ee1de9b51998",
        "_overrides compares a callback's hook with this no-op by identity",
    ),
    "Callback.on_grad_computed": (
        "(self, net, named_parameters, X=None, y=None, training=None, **kwargs)",
        "d2f48ca2c8daf8ee",
        "_overrides compares a callback's hook with this no-op by identity",
    ),
    "Callback.on_batch_end": (
        "(self, net, batch=None, training=None, **kwargs)",
        "acfd9075857a9aa3",
        "_overrides compares a callback's hook with this no-op by identity",
    ),
}

_OWNERS = {"NeuralNet": NeuralNet, "Callback": Callback}


def _fingerprint(member):
    source = inspect.getsource(member)
    return str(inspect.signature(member)), hashlib.sha256(source.encode()).hexdigest()


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_the_skorch_members_the_nets_rely_on_are_as_recorded(name):
    owner, attribute = name.split(".")
    signature, digest = _fingerprint(getattr(_OWNERS[owner], attribute))
    recorded_signature, recorded_digest, recheck = RECORDED[name]
    advice = (
        f"skorch {skorch.__version__} changed {name} (recorded for skorch 1.4). "
        f"Re-check in sklearn_rnnmemory/_torch/skorch_nets.py: {recheck}; then "
        "record the new signature and hash in tests/catalogues/test_skorch_contract.py."
    )
    assert signature == recorded_signature, advice
    assert digest[:16] == recorded_digest, advice


def test_the_private_module_lists_name_the_network_and_its_loss():
    X = np.random.default_rng(0).normal(size=(8, 4, 2)).astype(np.float32)
    net = RecurrentMemoryRegressor("gru", hidden_size=3, max_epochs=1).fit(X).net_
    # _set_training switches exactly these; a new skorch attribute layout
    # would leave a module in the wrong mode.
    assert net._modules == ["module"] and net._criteria == ["criterion"]
