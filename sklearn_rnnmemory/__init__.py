"""Measure the memory ability of recurrent neural networks, the scikit-learn way.

An implementation of the method of Zhang, Li, Hua & Song, *Assessing the Memory
Ability of Recurrent Neural Networks* (ECAI 2020).
"""

from typing import TYPE_CHECKING

from ._lazy import lazy_names

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


__getattr__, __dir__ = lazy_names(__name__, globals(), _LAZY)


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
