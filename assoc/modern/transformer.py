"""Transformer blocks around Hopfield associations (NumPy / CuPy specification).

:class:`HopfieldEncoderLayer` and :class:`HopfieldDecoderLayer` are the post-norm encoder
and decoder blocks of hflayers (``hflayers/transformer.py``, after Vaswani et al. 2017,
with the attention replaced by :class:`~assoc.modern.layers.Hopfield` associations)::

    encoder:  x <- LN(x + drop(Hopfield(x)));  x <- LN(x + drop(FF(x)))
    decoder:  y <- LN(y + drop(Hopfield_self(y)));  y <- LN(y + drop(Hopfield_cross(m, y, m)))
              y <- LN(y + drop(FF(y)))
    FF(x) = act(x W_1 + b_1) (dropout) W_2 + b_2

The torch modules are in :mod:`assoc.modern.torch_transformer` (:func:`assoc.modern.
torch_adapter.to_torch` converts). Parameters: ``linear_residual_weight`` (E, F),
``linear_residual_bias`` (F), ``linear_output_weight`` (F, E), ``linear_output_bias`` (E)
and the layer norms ``norm_*_weight``/``norm_*_bias`` (E) (eps 1e-5), initialised as
``torch.nn.Linear`` (uniform in +-1/sqrt(fan_in)) and ``torch.nn.LayerNorm``, from ``seed``.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from ..backend import get_namespace
from ..seeding import SeedLike, normalize_seed, stream_rng
from ..validation import check_bool, check_int
from .layer_config import activation, check_activation, check_dropout
from .layers import Hopfield, _layer_norm

__all__ = ["HopfieldEncoderLayer", "HopfieldDecoderLayer"]

_LN_EPS = 1e-5


def _check_association(name: str, value: Any) -> Hopfield:
    if not isinstance(value, Hopfield):
        raise TypeError(f"{name} must be an assoc.modern.Hopfield layer (got "
                        f"{type(value).__name__})")
    c = value.config
    if not (c.state_size == c.stored_size == c.projection_size == c.output_size):
        raise ValueError(
            f"{name} must map its input to the same size, for the residual connection: its "
            f"state, stored pattern, pattern projection and output sizes must agree (got "
            f"{c.state_size}, {c.stored_size}, {c.projection_size}, {c.output_size})"
        )
    return value


class _Block:
    """Parameters and feed-forward part shared by the two blocks."""

    params: dict[str, Any]
    _norms: tuple[str, ...] = ()

    def _setup(self, E: int, dim_feedforward: Any, dropout: Any, activation_name: Any,
               seed: SeedLike, dtype: Any, xp: Any) -> None:
        F = check_int("dim_feedforward", dim_feedforward, low=1)
        self.dropout = check_dropout("dropout", dropout)
        self.activation = check_activation("activation", activation_name, optional=False)
        self.dim_feedforward = F
        rng = stream_rng(normalize_seed(seed), "model", 3)

        def uniform(fan_in: int, shape: tuple[int, ...]) -> np.ndarray:
            a = 1.0 / math.sqrt(fan_in)
            return rng.uniform(-a, a, size=shape).astype(dtype)

        p = {
            "linear_residual_weight": uniform(E, (E, F)),
            "linear_residual_bias": uniform(E, (F,)),
            "linear_output_weight": uniform(F, (F, E)),
            "linear_output_bias": uniform(F, (E,)),
        }
        for name in self._norms:
            p[f"{name}_weight"] = np.ones(E, dtype=dtype)
            p[f"{name}_bias"] = np.zeros(E, dtype=dtype)
        self.params = {k: xp.asarray(v) for k, v in p.items()}
        self.dtype = np.dtype(dtype)

    def _drop(self, x: Any, rng: np.random.Generator | None, xp: Any) -> Any:
        if rng is None or self.dropout == 0.0:
            return x
        keep = xp.asarray(rng.random(tuple(x.shape)) >= self.dropout)
        return x * keep / (1.0 - self.dropout)

    def _norm(self, x: Any, name: str, xp: Any) -> Any:
        p = self.params
        return _layer_norm(x, p[f"{name}_weight"], p[f"{name}_bias"], _LN_EPS, xp)

    def _feed_forward(self, x: Any, rng: np.random.Generator | None, xp: Any) -> Any:
        p = self.params
        h = activation(self.activation, xp)(x @ p["linear_residual_weight"]
                                            + p["linear_residual_bias"])
        h = self._drop(h, rng, xp)
        return self._drop(h @ p["linear_output_weight"] + p["linear_output_bias"], rng, xp)

    @staticmethod
    def _rng(training: bool, seed: SeedLike) -> np.random.Generator | None:
        if not check_bool("training", training):
            return None
        return np.random.default_rng(normalize_seed(seed))

    def _as(self, x: Any, xp: Any) -> Any:
        x = xp.asarray(x)
        return x if x.dtype == self.dtype else x.astype(self.dtype)


class HopfieldEncoderLayer(_Block):
    """Transformer encoder block with a Hopfield self-association (hflayers').

    Parameters
    ----------
    hopfield_association : Hopfield
        The association (copied), mapping its input to the same size (state, stored
        pattern, pattern projection and output sizes equal).
    dim_feedforward : int
        Width of the feed-forward part (default 2048).
    dropout : float
        Dropout probability in [0, 1) of the residual branches (training only).
    activation : str
        Activation of the feed-forward part, one of
        :data:`assoc.modern.layer_config.ACTIVATIONS` (default 'relu').
    seed : int, SeedSequence, Generator or None
        Keyword-only; the initial parameters.

    Examples
    --------
    >>> import numpy as np
    >>> from assoc.modern import Hopfield
    >>> enc = HopfieldEncoderLayer(Hopfield(input_size=8, num_heads=2, seed=0),
    ...                            dim_feedforward=16, seed=1)
    >>> enc(np.ones((3, 5, 8))).shape
    (3, 5, 8)
    """

    _norms = ("norm_residual", "norm_output")

    def __init__(self, hopfield_association: Hopfield, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str = "relu", *,
                 seed: SeedLike = None) -> None:
        assoc = _check_association("hopfield_association", hopfield_association)
        self.hopfield_association = copy.deepcopy(assoc)
        self._setup(assoc.config.state_size, dim_feedforward, dropout, activation, seed,
                    assoc.dtype, assoc.xp)

    def __call__(self, src: Any, src_mask: Any = None, src_key_padding_mask: Any = None, *,
                 training: bool = False, seed: SeedLike = None) -> Any:
        """Encode ``src`` (..., S, E) (length-first when the association is not batch_first).

        Parameters
        ----------
        src : array
        src_mask : array, optional
            The association mask of the self-association (see :class:`Hopfield`).
        src_key_padding_mask : array, optional
            Its stored pattern padding mask.
        training : bool
            Apply the dropouts (drawn from ``seed``).
        seed : int, SeedSequence, Generator or None

        Returns
        -------
        array, the shape of ``src``
        """
        rng = self._rng(training, seed)
        xp = get_namespace(src, *self.params.values())
        src = self._as(src, xp)
        a = self.hopfield_association(src, stored_pattern_padding_mask=src_key_padding_mask,
                                      association_mask=src_mask, training=rng is not None,
                                      seed=rng)
        src = self._norm(src + self._drop(a, rng, xp), "norm_residual", xp)
        return self._norm(src + self._feed_forward(src, rng, xp), "norm_output", xp)

    def get_association_matrix(self, input: Any) -> Any:
        """The association matrix of the self-association of ``input``."""
        return self.hopfield_association.get_association_matrix(input)

    @property
    def batch_first(self) -> bool:
        return self.hopfield_association.config.batch_first

    @property
    def input_size(self) -> int:
        return self.hopfield_association.config.state_size

    @property
    def output_size(self) -> int:
        return self.hopfield_association.config.state_size


class HopfieldDecoderLayer(_Block):
    """Transformer decoder block: Hopfield self-association, then cross-association with
    the encoder's output (memory), then the feed-forward part (hflayers').

    Parameters
    ----------
    hopfield_association_self, hopfield_association_cross : Hopfield
        The associations (copied), each mapping its input to the same size.
    dim_feedforward, dropout, activation, seed :
        As in :class:`HopfieldEncoderLayer`.

    Examples
    --------
    >>> import numpy as np
    >>> from assoc.modern import Hopfield
    >>> dec = HopfieldDecoderLayer(Hopfield(input_size=8, seed=0), Hopfield(input_size=8, seed=1),
    ...                            dim_feedforward=16, seed=2)
    >>> dec(np.ones((3, 5, 8)), np.ones((3, 7, 8))).shape
    (3, 5, 8)
    """

    _norms = ("norm_residual_self", "norm_residual_cross", "norm_output")

    def __init__(self, hopfield_association_self: Hopfield,
                 hopfield_association_cross: Hopfield, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str = "relu", *,
                 seed: SeedLike = None) -> None:
        a = _check_association("hopfield_association_self", hopfield_association_self)
        b = _check_association("hopfield_association_cross", hopfield_association_cross)
        if b.config.state_size != a.config.state_size:
            raise ValueError(
                f"hopfield_association_cross must have the size of hopfield_association_self "
                f"= {a.config.state_size} (got {b.config.state_size})"
            )
        self.hopfield_association_self = copy.deepcopy(a)
        self.hopfield_association_cross = copy.deepcopy(b)
        self._setup(a.config.state_size, dim_feedforward, dropout, activation, seed,
                    a.dtype, a.xp)

    def __call__(self, tgt: Any, memory: Any, tgt_mask: Any = None, memory_mask: Any = None,
                 tgt_key_padding_mask: Any = None, memory_key_padding_mask: Any = None, *,
                 training: bool = False, seed: SeedLike = None) -> Any:
        """Decode ``tgt`` (..., S, E) against ``memory`` (..., L, E).

        Parameters
        ----------
        tgt, memory : array
        tgt_mask, tgt_key_padding_mask : array, optional
            Association and padding masks of the self-association.
        memory_mask, memory_key_padding_mask : array, optional
            Association and padding masks of the cross-association.
        training : bool
        seed : int, SeedSequence, Generator or None

        Returns
        -------
        array, the shape of ``tgt``
        """
        rng = self._rng(training, seed)
        xp = get_namespace(tgt, memory, *self.params.values())
        tgt, memory = self._as(tgt, xp), self._as(memory, xp)
        a = self.hopfield_association_self(tgt, stored_pattern_padding_mask=tgt_key_padding_mask,
                                           association_mask=tgt_mask,
                                           training=rng is not None, seed=rng)
        tgt = self._norm(tgt + self._drop(a, rng, xp), "norm_residual_self", xp)
        a = self.hopfield_association_cross(memory, tgt, memory,
                                            stored_pattern_padding_mask=memory_key_padding_mask,
                                            association_mask=memory_mask,
                                            training=rng is not None, seed=rng)
        tgt = self._norm(tgt + self._drop(a, rng, xp), "norm_residual_cross", xp)
        return self._norm(tgt + self._feed_forward(tgt, rng, xp), "norm_output", xp)

    def get_association_matrix_self(self, input: Any) -> Any:
        """The association matrix of the self-association of ``input``."""
        return self.hopfield_association_self.get_association_matrix(input)

    def get_association_matrix_cross(self, input: Any) -> Any:
        """The association matrix of the cross-association; ``input`` is (memory, tgt,
        memory) as in hflayers, or one array."""
        if isinstance(input, tuple):
            return self.hopfield_association_cross.get_association_matrix(*input)
        return self.hopfield_association_cross.get_association_matrix(input)

    @property
    def batch_first(self) -> bool:
        return self.hopfield_association_self.config.batch_first

    @property
    def input_size(self) -> int:
        return self.hopfield_association_self.config.state_size

    @property
    def output_size(self) -> int:
        return self.hopfield_association_self.config.state_size
