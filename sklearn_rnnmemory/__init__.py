"""Measure the memory ability of recurrent neural networks, the scikit-learn way.

An implementation of the method of Zhang, Li, Hua & Song, *Assessing the Memory
Ability of Recurrent Neural Networks* (ECAI 2020).
"""

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from . import indicators
    from ._classifier import RecurrentClassifier
    from ._language_model import RecurrentLanguageModel
    from ._plateau import PlateauStopping
    from ._regressor import RecurrentMemoryRegressor
    from ._semantic_space import SemanticEuclideanSpace

# Loaded on first use (PEP 562), so that ``sklearn_rnnmemory.indicators``,
# plain functions on arrays, imports without torch or skorch.
_LAZY = {
    "RecurrentClassifier": "._classifier",
    "RecurrentMemoryRegressor": "._regressor",
    "RecurrentLanguageModel": "._language_model",
    "PlateauStopping": "._plateau",
    "SemanticEuclideanSpace": "._semantic_space",
    "indicators": ".indicators",
}


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(_LAZY[name], __name__)
    value = module if name == "indicators" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *_LAZY})


__version__ = "0.1.0.dev0"

__all__ = [
    "PlateauStopping",
    "RecurrentClassifier",
    "RecurrentLanguageModel",
    "RecurrentMemoryRegressor",
    "SemanticEuclideanSpace",
    "indicators",
    "__version__",
]
