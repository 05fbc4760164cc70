"""RecurrentLanguageModel: next-token prediction in windows of a BPTT length."""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral

import numpy as np
import torch
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ._docstring import Substitution, parameter_snippets
from ._recurrent_base import RecurrentEstimatorBase
from ._sequences import check_sequences, cut_windows
from ._shared_parameters import fill_shared_docs
from ._torch.losses import TokenCrossEntropy
from ._torch.networks import LanguageModelModule
from ._torch.skorch_nets import LanguageModelNet
from ._typing import ArrayLike
from ._validation import check_not_sparse, check_positive_int, untensor

#: Token ids must lie below this: the network reads them as float32, which
#: holds every integer exactly only up to 2**24.
MAX_TOKEN_ID = 2**24


def _check_token_ids(X, vocab_size=None):
    """Token ids ``(n, T)`` (negative or NaN at the end: padding) as ``(n, T, 1)``
    float32, NaN-padded."""
    check_not_sparse(X)
    try:
        X = np.asarray(untensor(X))
    except (ValueError, TypeError) as exc:
        raise type(exc)(
            "X must be a 2-D numeric array of token ids (n, T), padded at the end "
            f"with a negative value or NaN to one length; got {exc}"
        ) from None
    if X.ndim != 2 or X.dtype.kind not in "iuf":
        raise ValueError(
            "X must be a 2-D numeric array of token ids (n, T), padded at the end "
            f"with a negative value or NaN; got an array of shape {X.shape} and "
            f"dtype {X.dtype}."
        )
    ids = X.astype(np.float64)
    ids[ids < 0] = np.nan
    finite = np.isfinite(ids)
    if (ids[finite] != np.round(ids[finite])).any():
        raise ValueError("X must hold integer token ids; got non-integer values.")
    largest = ids[finite].max(initial=-1)
    if largest >= MAX_TOKEN_ID:
        raise ValueError(
            f"X holds token id {int(largest)}; ids must be below 2**24 = "
            f"{MAX_TOKEN_ID} (the network reads them as float32, exact for "
            "integers up to there, and has one embedding row per id up to the "
            "largest). Map tokens to dense ids 0 .. |V| - 1, e.g. with "
            "SemanticEuclideanSpace().fit(X).token_ids(X)."
        )
    if vocab_size is not None and largest >= vocab_size:
        raise ValueError(
            f"X holds token id {int(largest)}, but the model knows ids "
            f"0 .. {vocab_size - 1} (vocab_size={vocab_size})."
        )
    return check_sequences(ids[..., None], dtype=np.float32)


def _next_token_pairs(ids):
    """Steps with a next token: ``(n, T-1, 2)`` of (input id, target id)."""
    inputs, targets = ids[:, :-1, 0], ids[:, 1:, 0]
    inputs = np.where(np.isnan(targets), np.nan, inputs)
    return np.stack([inputs, targets], axis=-1)


def _next_token_windows(ids, seq_len):
    """Windows of ``seq_len`` (token, next token) pairs; at least one."""
    windows, _ = cut_windows(_next_token_pairs(ids), seq_len)
    if windows.shape[0] == 0:
        raise ValueError("X holds no sequence of two tokens or more.")
    return windows


def _training_pairs(windows):
    """The network's inputs and targets: the input ids as ``(n, k, 1)``
    float32, the next ids as int64 with -1 at padding."""
    return windows[..., :1], np.nan_to_num(windows[..., 1], nan=-1).astype(np.int64)


#: Token ids, as the fitted model reads them.
_TOKEN_IDS = parameter_snippets(
    "X", "X : array-like of shape (n, T)\n    Token ids, padded at the end."
)


@Substitution(**_TOKEN_IDS)
@fill_shared_docs
@dataclass(repr=False, eq=False, kw_only=True)
class RecurrentLanguageModel(RecurrentEstimatorBase):
    """A recurrent language model trained with a BPTT window of ``seq_len``.

    Token ids are embedded and read by the recurrent unit; a linear head gives
    the logits of the next token. Sequences are cut into windows of ``seq_len``
    next-token pairs, each read from a zero state: the window bounds how far
    back gradients, and so memory, can reach. The model is a skorch
    ``NeuralNet`` built in :meth:`fit`. Its memory can be probed with
    :func:`sklearn_rnnmemory.scoring.make_probe_scorer`; the probe decodes the
    embedded inputs.

    Parameters
    ----------
    %(network_parameters)s
    seq_len : int, default=20
        BPTT window: tokens read per window, in training and evaluation;
        ``None``, or a window beyond the longest sequence, reads whole
        sequences.
    %(training_parameters)s
    embedding_dim : int, default=32
        Dimension of the token embeddings.
    vocab_size : int, default=None
        Number of token ids, at most ``2**24`` (ids are read as float32, exact
        for integers up to there); ``None`` takes the largest id in ``fit``
        plus one.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained network.
    %(history_)s
    vocab_size_ : int
        Number of token ids the model predicts.
    %(device_)s
    %(n_updates_)s

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnnmemory import RecurrentLanguageModel
    >>> ids = np.tile([0, 1, 2, 3], (40, 5))        # a cyclic language
    >>> model = RecurrentLanguageModel("gru", hidden_size=16, seq_len=8,
    ...                                max_epochs=20, random_state=0).fit(ids)
    >>> model.perplexity(ids) < 1.5
    True
    """

    _parameter_constraints = {
        **RecurrentEstimatorBase._parameter_constraints,
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "vocab_size": [Interval(Integral, 1, MAX_TOKEN_ID, closed="both"), None],
    }

    # The language model's own defaults.
    hidden_size: int = 64
    seq_len: int | None = 20
    max_epochs: int = 10
    lr: float = 0.005
    max_grad_norm: float | None = 1.0
    # Its own parameters.
    embedding_dim: int = 32
    vocab_size: int | None = None

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: None = None) -> RecurrentLanguageModel:
        """Train on next-token prediction.

        Parameters
        ----------
        X : array-like of shape (n, T)
            Token ids ``>= 0``, padded at the end with a negative value or NaN.
        y : None
            Ignored: the targets are the next tokens.

        %(returns_fitted)s
        """
        self._start_fit()
        ids = _check_token_ids(X, self.vocab_size)
        windows = _next_token_windows(ids, self.seq_len)
        vocab_size = int(self.vocab_size or int(np.nanmax(ids)) + 1)
        embedding_dim = int(self.embedding_dim)
        self._check_network_size(
            embedding_dim,
            vocab_size,
            f", embedding_dim={embedding_dim}, vocab_size={vocab_size}",
            embedded=vocab_size,
        )
        self._fit_network(
            LanguageModelNet,
            LanguageModelModule,
            *_training_pairs(windows),
            module__vocab_size=vocab_size,
            module__embedding_dim=embedding_dim,
            criterion=TokenCrossEntropy,
        )
        self.vocab_size_ = vocab_size
        return self

    def _training_arrays(self, X):
        return _training_pairs(_next_token_windows(X, self.seq_len))

    def _check_input(self, X):
        check_is_fitted(self)
        return _check_token_ids(X, self.vocab_size_)

    def _next_token_log_proba(self, module, batch):
        log_proba = torch.log_softmax(module(batch[..., :1]), dim=-1)
        target = torch.nan_to_num(batch[..., 1:], nan=0.0).long()
        return log_proba.gather(-1, target)

    def perplexity(self, X: ArrayLike, *, eval_len: int | None = None) -> float:
        """Perplexity of the next tokens of ``X``, read in windows.

        Parameters
        ----------
        %(X)s
        eval_len : int, default=None
            Read in windows of this many next-token predictions, each from a
            zero state, so that models trained at different ``seq_len`` can be
            compared on the same windows; ``None`` uses ``seq_len`` (whole
            sequences if that is ``None`` too).

        Returns
        -------
        perplexity : float
            ``exp`` of the mean negative log-likelihood of every next token.
        """
        check_positive_int(eval_len, "eval_len", allow_none=True)
        ids = self._check_input(X)
        windows = _next_token_windows(
            ids, self.seq_len if eval_len is None else eval_len
        )
        log_proba = self._read_windows(windows, self._next_token_log_proba)
        return float(np.exp(-np.nanmean(log_proba)))

    def score(self, X: ArrayLike, y: None = None) -> float:
        """Return minus the perplexity (greater is better, as scikit-learn expects).

        Parameters
        ----------
        %(X)s
        y : None
            Ignored.

        Returns
        -------
        score : float
            ``-perplexity(X)``.
        """
        return -self.perplexity(X)

    def probe_inputs(self, X: ArrayLike) -> np.ndarray:
        """The embedded tokens the recurrent unit reads, ``(n, T, E)``.

        %(parameters_X)s

        Returns
        -------
        inputs : ndarray of shape (n, T, embedding_dim)
            NaN at padding.
        """
        ids = self._check_input(X)
        return self._read(ids, lambda module, batch: module.embed(batch), None)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # X is a 2-D array of token ids: categories, one per step, NaN or a
        # negative value padding the end of each row.
        tags.input_tags.two_d_array = True
        tags.input_tags.three_d_array = False
        tags.input_tags.categorical = True
        tags.target_tags.required = False
        return tags
