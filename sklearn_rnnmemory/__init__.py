"""Measure the memory ability of recurrent neural networks, the scikit-learn way.

An implementation of the method of Zhang, Li, Hua & Song, *Assessing the Memory
Ability of Recurrent Neural Networks* (ECAI 2020).
"""

from . import indicators
from ._classifier import RecurrentClassifier
from ._estimator import RecurrentMemoryRegressor
from ._language_model import RecurrentLanguageModel
from ._plateau import PlateauStopping
from ._semantic_space import SemanticEuclideanSpace

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
