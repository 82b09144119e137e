"""Hopfield layers, forward pass: ``Hopfield``, ``HopfieldPooling``, ``HopfieldLayer``.

The layers of Ramsauer et al. 2020 (Sec. 3, "New Hopfield layers for deep learning";
Eqs. (9)-(11) of arXiv:2008.02217) associate *state patterns* R (queries) with *stored
patterns* Y (keys) and return a weighted sum of *pattern projections* (values)::

    Q = LN(R) W_Q,  K = LN(Y) W_K,  V = LN(Y_v) W_V            (per head)
    xi <- softmax(beta xi K^T) K   (update_steps_max times, from xi = Q; Eq. (3))
    Z  = softmax(beta xi K^T) V,   out = concat_heads(Z) W_O    (Eq. (10))

``LN`` is an optional layer normalisation, any projection may be switched off ("static"
pattern), heads are independent, and masks remove stored patterns. With no
normalisation, no update steps and ``beta = 1/sqrt(d_k)`` the layer *is* multi-head
softmax attention (Vaswani et al. 2017), which the tests check to 1e-12 in float64.

- :class:`Hopfield`: state and stored patterns are inputs.
- :class:`HopfieldPooling`: the state patterns are learned (static queries): pooling of a
  set of stored patterns, as in DeepRC (Widrich et al. 2020).
- :class:`HopfieldLayer`: the stored patterns (and their projections) are learned: a
  learnable associative memory, as in Hopular (Schaefl et al. 2022), whose Hopfield
  modules retrieve from stored training samples with several update steps.

Conventions: batch-first inputs ``(..., length, features)``; a projection is
``x @ W + b`` with ``W`` of shape (in, out); a boolean mask is True where an association
is *removed* (as ``key_padding_mask`` and boolean ``attn_mask`` of PyTorch). A state whose
every association is masked gets zero weights (and output ``b_O``), not NaN.

The arithmetic is written once against :mod:`assoc.modern._ops`, so NumPy, CuPy and (via
:mod:`assoc.modern.torch_adapter`) torch run the same code; only the forward pass is
provided here (dropout, which is training-only, is not implemented).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..backend import get_namespace, resolve_backend, to_numpy
from ..seeding import SeedLike, normalize_seed, stream_rng
from ..validation import check_bool, check_int, check_scalar
from ._checks import check_float_dtype
from ._ops import ArrayOps, ops_for

__all__ = [
    "HopfieldConfig",
    "Hopfield",
    "HopfieldPooling",
    "HopfieldLayer",
    "hopfield_forward",
]


@dataclass(frozen=True)
class HopfieldConfig:
    """Specification of a Hopfield association (sizes and switches; no parameters).

    Attributes
    ----------
    state_size, stored_size, projection_size : int
        Feature sizes of the state patterns, stored patterns and pattern projections.
    hidden_size : int
        Association-space size per head (``d_k``).
    pattern_size : int
        Value size per head (``d_v``).
    output_size : int
        Output feature size (``num_heads * pattern_size`` without out projection).
    num_heads : int
    scaling : float
        ``beta``.
    update_steps_max : int
        Maximal number of Hopfield updates of the state before the final association.
    update_steps_eps : float
        The updates stop once ``max ||xi_new - xi||_2 <= update_steps_eps``.
    normalize_state, normalize_stored, normalize_projection : bool
        Layer normalisation of each input (over its feature axis).
    normalize_affine : bool
        Learned scale and shift of the layer normalisations.
    state_static, stored_static, projection_static : bool
        Skip the projection ``W_Q``, ``W_K`` or ``W_V`` (the input is used as it is).
    out_projection : bool
        Apply ``W_O``.
    bias : bool
        Biases of the projections.
    layer_norm_eps : float
    """

    state_size: int
    stored_size: int
    projection_size: int
    hidden_size: int
    pattern_size: int
    output_size: int
    num_heads: int = 1
    scaling: float = 1.0
    update_steps_max: int = 0
    update_steps_eps: float = 1e-4
    normalize_state: bool = True
    normalize_stored: bool = True
    normalize_projection: bool = True
    normalize_affine: bool = True
    state_static: bool = False
    stored_static: bool = False
    projection_static: bool = False
    out_projection: bool = True
    bias: bool = True
    layer_norm_eps: float = 1e-5


def _make_config(
    *,
    input_size: int | None,
    hidden_size: int | None,
    output_size: int | None,
    pattern_size: int | None,
    num_heads: int,
    scaling: float | None,
    update_steps_max: int,
    update_steps_eps: float,
    normalize_stored_pattern: bool,
    normalize_state_pattern: bool,
    normalize_pattern_projection: bool,
    normalize_affine: bool,
    stored_pattern_size: int | None,
    state_pattern_size: int | None,
    pattern_projection_size: int | None,
    stored_pattern_as_static: bool,
    state_pattern_as_static: bool,
    pattern_projection_as_static: bool,
    disable_out_projection: bool,
    bias: bool,
) -> HopfieldConfig:
    flags = {name: check_bool(name, value) for name, value in (
        ("normalize_stored_pattern", normalize_stored_pattern),
        ("normalize_state_pattern", normalize_state_pattern),
        ("normalize_pattern_projection", normalize_pattern_projection),
        ("normalize_affine", normalize_affine),
        ("stored_pattern_as_static", stored_pattern_as_static),
        ("state_pattern_as_static", state_pattern_as_static),
        ("pattern_projection_as_static", pattern_projection_as_static),
        ("disable_out_projection", disable_out_projection),
        ("bias", bias),
    )}
    if input_size is not None:
        input_size = check_int("input_size", input_size, low=1)
    H = check_int("num_heads", num_heads, low=1)
    sizes = {}
    for name, val in (
        ("state_pattern_size", state_pattern_size),
        ("stored_pattern_size", stored_pattern_size),
    ):
        v = val if val is not None else input_size
        if v is None:
            raise ValueError(f"input_size must be an integer >= 1 when {name} is not given "
                             f"(got input_size=None and {name}=None)")
        sizes[name] = check_int(name, v, low=1)
    d_state, d_stored = sizes["state_pattern_size"], sizes["stored_pattern_size"]
    d_proj = check_int(
        "pattern_projection_size",
        pattern_projection_size if pattern_projection_size is not None else d_stored,
        low=1,
    )
    if hidden_size is None:
        if d_state % H:
            raise ValueError(
                f"hidden_size (per head) must be given when the state size {d_state} is not "
                f"divisible by num_heads={H}"
            )
        hidden_size = d_state // H
    dk = check_int("hidden_size", hidden_size, low=1)
    dv = check_int("pattern_size", pattern_size if pattern_size is not None else dk, low=1)
    for flag, d, need, what in (
        (state_pattern_as_static, d_state, H * dk, "state_pattern_size"),
        (stored_pattern_as_static, d_stored, H * dk, "stored_pattern_size"),
        (pattern_projection_as_static, d_proj, H * dv, "pattern_projection_size"),
    ):
        if flag and d != need:
            raise ValueError(
                f"a static pattern is used without projection, so {what} must equal "
                f"num_heads * {'pattern_size' if 'projection' in what else 'hidden_size'} "
                f"= {need} (got {d})"
            )
    if disable_out_projection:
        d_out = H * dv
        if output_size is not None and output_size != d_out:
            raise ValueError(
                f"output_size must be num_heads * pattern_size = {d_out} when "
                f"disable_out_projection is True (got {output_size})"
            )
    else:
        d_out = check_int(
            "output_size", output_size if output_size is not None else d_state, low=1
        )
    if scaling is None:
        scaling = 1.0 / math.sqrt(dk)
    scaling = check_scalar("scaling", scaling, low=0.0, low_open=True)
    return HopfieldConfig(
        state_size=d_state,
        stored_size=d_stored,
        projection_size=d_proj,
        hidden_size=dk,
        pattern_size=dv,
        output_size=d_out,
        num_heads=H,
        scaling=scaling,
        update_steps_max=check_int("update_steps_max", update_steps_max, low=0),
        update_steps_eps=check_scalar("update_steps_eps", update_steps_eps, low=0.0),
        normalize_state=flags["normalize_state_pattern"],
        normalize_stored=flags["normalize_stored_pattern"],
        normalize_projection=flags["normalize_pattern_projection"],
        normalize_affine=flags["normalize_affine"],
        state_static=flags["state_pattern_as_static"],
        stored_static=flags["stored_pattern_as_static"],
        projection_static=flags["pattern_projection_as_static"],
        out_projection=not flags["disable_out_projection"],
        bias=flags["bias"],
    )


def _init_params(cfg: HopfieldConfig, rng: np.random.Generator, dtype: Any) -> dict[str, Any]:
    """Xavier-uniform weights, zero biases, unit layer-norm scales (NumPy, host)."""

    def xavier(fan_in: int, fan_out: int) -> np.ndarray:
        a = math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-a, a, size=(fan_in, fan_out)).astype(dtype)

    H, dk, dv = cfg.num_heads, cfg.hidden_size, cfg.pattern_size
    p: dict[str, Any] = {}
    for key, flag, d_in, d_out in (
        ("Q", cfg.state_static, cfg.state_size, H * dk),
        ("K", cfg.stored_static, cfg.stored_size, H * dk),
        ("V", cfg.projection_static, cfg.projection_size, H * dv),
    ):
        if not flag:
            p[f"W_{key}"] = xavier(d_in, d_out)
            if cfg.bias:
                p[f"b_{key}"] = np.zeros(d_out, dtype=dtype)
    if cfg.out_projection:
        p["W_O"] = xavier(H * dv, cfg.output_size)
        if cfg.bias:
            p["b_O"] = np.zeros(cfg.output_size, dtype=dtype)
    if cfg.normalize_affine:
        for key, flag, d in (
            ("state", cfg.normalize_state, cfg.state_size),
            ("stored", cfg.normalize_stored, cfg.stored_size),
            ("projection", cfg.normalize_projection, cfg.projection_size),
        ):
            if flag:
                p[f"ln_{key}_weight"] = np.ones(d, dtype=dtype)
                p[f"ln_{key}_bias"] = np.zeros(d, dtype=dtype)
    return p


def _layer_norm(x: Any, w: Any, b: Any, eps: float, ops: ArrayOps) -> Any:
    mu = ops.mean(x, -1)
    c = x - mu
    y = c / ops.sqrt(ops.mean(c * c, -1) + eps)
    if w is not None:
        y = y * w + b
    return y


def _split_heads(x: Any, H: int, ops: ArrayOps) -> Any:
    # (..., S, H*e) -> (..., H, S, e)
    shape = tuple(x.shape)
    x = ops.reshape(x, shape[:-1] + (H, shape[-1] // H))
    return ops.swapaxes(x, -2, -3)


def _merge_heads(x: Any, ops: ArrayOps) -> Any:
    # (..., H, S, e) -> (..., S, H*e)
    x = ops.swapaxes(x, -2, -3)
    shape = tuple(x.shape)
    return ops.reshape(x, shape[:-2] + (shape[-2] * shape[-1],))


def _masked_softmax(s: Any, mask: Any, ops: ArrayOps) -> Any:
    """Softmax over the last axis with removed (True) entries; fully masked rows give 0."""
    if mask is None:
        e = ops.exp(s - ops.amax(s, -1))
        return e / ops.sum(e, -1)
    s = ops.where(mask, -math.inf, s)
    m = ops.amax(s, -1)
    m = ops.where(ops.isfinite(m), m, 0.0)
    e = ops.exp(s - m)
    z = ops.sum(e, -1)
    return e / ops.where(z > 0, z, 1.0)


def _project(x: Any, params: dict[str, Any], key: str, ops: ArrayOps) -> Any:
    w = params.get(f"W_{key}")
    if w is None:
        return x
    y = ops.matmul(x, w)
    b = params.get(f"b_{key}")
    return y if b is None else y + b


def hopfield_forward(
    params: dict[str, Any],
    cfg: HopfieldConfig,
    ops: ArrayOps,
    stored: Any,
    state: Any,
    projection: Any,
    stored_pattern_padding_mask: Any = None,
    association_mask: Any = None,
) -> tuple[Any, Any]:
    """The Hopfield association (module notes; Ramsauer et al. 2020, Eqs. (3), (10)).

    Parameters
    ----------
    params : dict
        Weights (see :class:`Hopfield`), arrays of the namespace of ``ops``.
    cfg : HopfieldConfig
    ops : ArrayOps
    stored : array, shape (..., L, stored_size)
    state : array, shape (..., S, state_size)
    projection : array, shape (..., L, projection_size)
    stored_pattern_padding_mask : bool array, shape (..., L), optional
    association_mask : bool array, shape (S, L) or (..., S, L), optional

    Returns
    -------
    output : array, shape (..., S, output_size)
    weights : array, shape (..., num_heads, S, L)
        The final association weights ``softmax(beta xi K^T)``.
    """
    eps = cfg.layer_norm_eps
    if cfg.normalize_state:
        state = _layer_norm(
            state, params.get("ln_state_weight"), params.get("ln_state_bias"), eps, ops
        )
    if cfg.normalize_stored:
        stored = _layer_norm(
            stored, params.get("ln_stored_weight"), params.get("ln_stored_bias"), eps, ops
        )
    if cfg.normalize_projection:
        projection = _layer_norm(
            projection,
            params.get("ln_projection_weight"),
            params.get("ln_projection_bias"),
            eps,
            ops,
        )
    H = cfg.num_heads
    q = _split_heads(_project(state, params, "Q", ops), H, ops)  # (..., H, S, dk)
    k = _split_heads(_project(stored, params, "K", ops), H, ops)  # (..., H, L, dk)
    v = _split_heads(_project(projection, params, "V", ops), H, ops)  # (..., H, L, dv)
    mask = None
    if stored_pattern_padding_mask is not None:
        pm = ops.as_bool(stored_pattern_padding_mask, q)
        mask = ops.expand_dims(ops.expand_dims(pm, -2), -3)  # (..., 1, 1, L)
    if association_mask is not None:
        am = ops.expand_dims(ops.as_bool(association_mask, q), -3)  # (..., 1, S, L)
        mask = am if mask is None else (mask | am)
    kt = ops.swapaxes(k, -1, -2)
    beta = cfg.scaling
    xi = q
    for _ in range(cfg.update_steps_max):  # Hopfield updates of the state, Eq. (3)
        a = _masked_softmax(beta * ops.matmul(xi, kt), mask, ops)
        new = ops.matmul(a, k)
        diff = new - xi
        step = ops.max_scalar(ops.sum(diff * diff, -1)) ** 0.5
        xi = new
        if step <= cfg.update_steps_eps:
            break
    a = _masked_softmax(beta * ops.matmul(xi, kt), mask, ops)  # Eq. (10)
    z = _merge_heads(ops.matmul(a, v), ops)
    out = _project(z, params, "O", ops) if cfg.out_projection else z
    return out, a


def _check_input(name: str, x: Any, size: int) -> None:
    if x.ndim < 2:
        raise ValueError(f"{name} must have shape (..., length, {size}) (got {tuple(x.shape)})")
    if x.shape[-1] != size:
        raise ValueError(
            f"{name} has feature size {x.shape[-1]} but the layer expects {size}: {name} "
            f"must have shape (..., length, {size})"
        )


class _Base:
    """Shared parameter handling of the three layers."""

    config: HopfieldConfig
    params: dict[str, Any]
    _extra: tuple[str, ...] = ()

    def _setup(
        self, cfg: HopfieldConfig, seed: SeedLike, dtype: Any, backend: str,
        extra: dict[str, np.ndarray] | None = None,
    ) -> None:
        self.config = cfg
        dtype = check_float_dtype(dtype)
        root = normalize_seed(seed)
        rng = stream_rng(root, "model", 0)
        params = _init_params(cfg, rng, dtype)
        params.update(extra or {})
        xp = resolve_backend(backend)
        self.params = {k: xp.asarray(v) for k, v in params.items()}
        self.dtype = dtype

    @property
    def xp(self) -> Any:
        return get_namespace(*self.params.values())

    def _ops(self, *arrays: Any) -> ArrayOps:
        return ops_for(get_namespace(*arrays, *self.params.values()))

    def _as(self, x: Any, ops: ArrayOps) -> Any:
        x = ops.xp.asarray(x)
        if not ops.xp.issubdtype(x.dtype, ops.xp.floating) or x.dtype != self.dtype:
            x = x.astype(self.dtype)
        return x

    def __repr__(self) -> str:
        c = self.config
        return (
            f"{type(self).__name__}(state_size={c.state_size}, stored_size={c.stored_size}, "
            f"hidden_size={c.hidden_size}, num_heads={c.num_heads}, scaling={c.scaling:.4g}, "
            f"update_steps_max={c.update_steps_max}, output_size={c.output_size})"
        )

    def to_numpy(self) -> dict[str, np.ndarray]:
        """Copy of the parameters as NumPy arrays."""
        return {k: to_numpy(v).copy() for k, v in self.params.items()}


_COMMON_DOC = """
    num_heads : int
        Number of independent heads, >= 1.
    scaling : float, optional
        ``beta`` > 0; default ``1 / sqrt(hidden_size)`` (attention).
    update_steps_max : int
        Hopfield updates of the state before the final association (0: attention).
    update_steps_eps : float
        Stop the updates once ``max ||xi_new - xi||_2 <= update_steps_eps``.
    normalize_stored_pattern, normalize_state_pattern, normalize_pattern_projection : bool
        Layer normalisation of each input (default True, as in Ramsauer et al.).
    normalize_affine : bool
        Learned scale and shift in the layer normalisations.
    disable_out_projection : bool
        Return the concatenated heads without ``W_O``.
    bias : bool
        Biases in the projections.
    seed : int, SeedSequence, Generator or None
        Keyword-only; parameters are drawn from the ``'model'`` stream of this seed.
    dtype : numpy dtype
        Parameter dtype (default float64).
    backend : {'numpy', 'cupy', 'auto'}
        Where the parameters live.
"""


class Hopfield(_Base):
    __doc__ = """Hopfield association of state patterns with stored patterns through projections.

    ``out = concat_h[softmax(beta xi_h K_h^T) V_h] W_O`` with ``xi_h`` the state after
    ``update_steps_max`` Hopfield updates from ``Q_h`` (module notes; Ramsauer et al.
    2020, Eq. (10), the layer ``Hopfield``).

    Parameters
    ----------
    input_size : int, optional
        Feature size of all inputs unless given separately below.
    hidden_size : int, optional
        Association size per head ``d_k``; default ``state_pattern_size // num_heads``.
    output_size : int, optional
        Default: the state pattern size.
    pattern_size : int, optional
        Value size per head ``d_v``; default ``hidden_size``.
    stored_pattern_size, state_pattern_size, pattern_projection_size : int, optional
        Feature sizes of the three inputs.
    stored_pattern_as_static, state_pattern_as_static, pattern_projection_as_static : bool
        Use the input without its projection (its size must then equal the heads' size).
    """ + _COMMON_DOC + """
    Attributes
    ----------
    config : HopfieldConfig
    params : dict of arrays
        ``W_Q`` (state_size, H d_k), ``W_K`` (stored_size, H d_k), ``W_V``
        (projection_size, H d_v), ``W_O`` (H d_v, output_size), biases ``b_*`` and
        layer-norm ``ln_*_weight``/``ln_*_bias``; replace entries to set weights.

    Examples
    --------
    >>> import numpy as np
    >>> layer = Hopfield(input_size=8, num_heads=2, seed=0)
    >>> layer(np.ones((3, 5, 8))).shape   # self-association of 5 patterns, batch of 3
    (3, 5, 8)
    """

    def __init__(
        self,
        input_size: int | None = None,
        hidden_size: int | None = None,
        output_size: int | None = None,
        pattern_size: int | None = None,
        num_heads: int = 1,
        scaling: float | None = None,
        update_steps_max: int = 0,
        update_steps_eps: float = 1e-4,
        normalize_stored_pattern: bool = True,
        normalize_state_pattern: bool = True,
        normalize_pattern_projection: bool = True,
        normalize_affine: bool = True,
        stored_pattern_size: int | None = None,
        state_pattern_size: int | None = None,
        pattern_projection_size: int | None = None,
        stored_pattern_as_static: bool = False,
        state_pattern_as_static: bool = False,
        pattern_projection_as_static: bool = False,
        disable_out_projection: bool = False,
        bias: bool = True,
        *,
        seed: SeedLike = None,
        dtype: Any = np.float64,
        backend: str = "numpy",
    ) -> None:
        cfg = _make_config(
            input_size=input_size, hidden_size=hidden_size, output_size=output_size,
            pattern_size=pattern_size, num_heads=num_heads, scaling=scaling,
            update_steps_max=update_steps_max, update_steps_eps=update_steps_eps,
            normalize_stored_pattern=normalize_stored_pattern,
            normalize_state_pattern=normalize_state_pattern,
            normalize_pattern_projection=normalize_pattern_projection,
            normalize_affine=normalize_affine, stored_pattern_size=stored_pattern_size,
            state_pattern_size=state_pattern_size,
            pattern_projection_size=pattern_projection_size,
            stored_pattern_as_static=stored_pattern_as_static,
            state_pattern_as_static=state_pattern_as_static,
            pattern_projection_as_static=pattern_projection_as_static,
            disable_out_projection=disable_out_projection, bias=bias,
        )
        self._setup(cfg, seed, dtype, backend)

    def _inputs(
        self, ops: ArrayOps, stored: Any, state: Any, pattern_projection: Any
    ) -> tuple[Any, Any, Any]:
        c = self.config
        stored = self._as(stored, ops)
        state = stored if state is None else self._as(state, ops)
        proj = stored if pattern_projection is None else self._as(pattern_projection, ops)
        _check_input("stored", stored, c.stored_size)
        _check_input("state", state, c.state_size)
        _check_input("pattern_projection", proj, c.projection_size)
        if proj.shape[-2] != stored.shape[-2]:
            raise ValueError(
                f"pattern_projection must hold one row per stored pattern: length "
                f"{proj.shape[-2]} != {stored.shape[-2]}"
            )
        if stored.shape[-2] == 0:
            raise ValueError("stored must hold at least one pattern (length L >= 1)")
        return stored, state, proj

    def association(
        self,
        stored: Any,
        state: Any = None,
        pattern_projection: Any = None,
        *,
        stored_pattern_padding_mask: Any = None,
        association_mask: Any = None,
    ) -> tuple[Any, Any]:
        """Output and association weights, shapes (..., S, output_size), (..., H, S, L)."""
        ops = self._ops(stored, state, pattern_projection)
        stored, state, proj = self._inputs(ops, stored, state, pattern_projection)
        _check_masks(stored, state, stored_pattern_padding_mask, association_mask)
        return hopfield_forward(
            self.params, self.config, ops, stored, state, proj,
            stored_pattern_padding_mask, association_mask,
        )

    def __call__(
        self,
        stored: Any,
        state: Any = None,
        pattern_projection: Any = None,
        *,
        stored_pattern_padding_mask: Any = None,
        association_mask: Any = None,
    ) -> Any:
        """Forward pass.

        Parameters
        ----------
        stored : array, shape (..., L, stored_size)
            Stored patterns Y (keys).
        state : array, shape (..., S, state_size), optional
            State patterns R (queries); default ``stored`` (self-association).
        pattern_projection : array, shape (..., L, projection_size), optional
            Inputs of the values; default ``stored``.
        stored_pattern_padding_mask : bool array, shape (..., L), optional
            True removes a stored pattern.
        association_mask : bool array, shape (S, L) or (..., S, L), optional
            True removes an association.

        Returns
        -------
        array, shape (..., S, output_size)
        """
        return self.association(
            stored, state, pattern_projection,
            stored_pattern_padding_mask=stored_pattern_padding_mask,
            association_mask=association_mask,
        )[0]


def _check_masks(stored: Any, state: Any, padding: Any, assoc: Any) -> None:
    L, S = stored.shape[-2], state.shape[-2]
    if padding is not None:
        shp = tuple(padding.shape)
        if len(shp) == 0 or shp[-1] != L:
            raise ValueError(
                f"stored_pattern_padding_mask must have shape (..., L) with L = {L} "
                f"(got {shp})"
            )
    if assoc is not None:
        shp = tuple(assoc.shape)
        if len(shp) < 2 or shp[-2:] != (S, L):
            raise ValueError(
                f"association_mask must have shape (S, L) or (..., S, L) with S = {S}, "
                f"L = {L} (got {shp})"
            )


class HopfieldPooling(_Base):
    __doc__ = """Hopfield pooling: learned static state patterns (queries) pool the stored patterns.

    ``out = Hopfield(stored=Y, state=P)`` with ``P`` the learned ``pooling_weights`` of
    shape (quantity, state_size) (Ramsauer et al. 2020, Sec. 3 "HopfieldPooling";
    Widrich et al. 2020, DeepRC).

    Parameters
    ----------
    input_size : int
        Feature size of the stored patterns (and of the learned queries unless
        ``state_pattern_size`` is given).
    quantity : int
        Number of learned state patterns (pooling outputs), >= 1.
    hidden_size, output_size, pattern_size, stored_pattern_size, state_pattern_size,
    pattern_projection_size, *_as_static :
        As in :class:`Hopfield`.
    """ + _COMMON_DOC + """
    Examples
    --------
    >>> import numpy as np
    >>> pool = HopfieldPooling(input_size=8, quantity=2, seed=0)
    >>> pool(np.ones((3, 5, 8))).shape   # 2 pooled vectors per bag of 5 patterns
    (3, 2, 8)
    """

    def __init__(
        self,
        input_size: int,
        quantity: int = 1,
        hidden_size: int | None = None,
        output_size: int | None = None,
        pattern_size: int | None = None,
        num_heads: int = 1,
        scaling: float | None = None,
        update_steps_max: int = 0,
        update_steps_eps: float = 1e-4,
        normalize_stored_pattern: bool = True,
        normalize_state_pattern: bool = True,
        normalize_pattern_projection: bool = True,
        normalize_affine: bool = True,
        stored_pattern_size: int | None = None,
        state_pattern_size: int | None = None,
        pattern_projection_size: int | None = None,
        stored_pattern_as_static: bool = False,
        state_pattern_as_static: bool = False,
        pattern_projection_as_static: bool = False,
        disable_out_projection: bool = False,
        bias: bool = True,
        *,
        seed: SeedLike = None,
        dtype: Any = np.float64,
        backend: str = "numpy",
    ) -> None:
        quantity = check_int("quantity", quantity, low=1)
        input_size = check_int("input_size", input_size, low=1)
        dtype = check_float_dtype(dtype)
        cfg = _make_config(
            input_size=input_size, hidden_size=hidden_size, output_size=output_size,
            pattern_size=pattern_size, num_heads=num_heads, scaling=scaling,
            update_steps_max=update_steps_max, update_steps_eps=update_steps_eps,
            normalize_stored_pattern=normalize_stored_pattern,
            normalize_state_pattern=normalize_state_pattern,
            normalize_pattern_projection=normalize_pattern_projection,
            normalize_affine=normalize_affine, stored_pattern_size=stored_pattern_size,
            state_pattern_size=state_pattern_size,
            pattern_projection_size=pattern_projection_size,
            stored_pattern_as_static=stored_pattern_as_static,
            state_pattern_as_static=state_pattern_as_static,
            pattern_projection_as_static=pattern_projection_as_static,
            disable_out_projection=disable_out_projection, bias=bias,
        )
        root = normalize_seed(seed)
        rng = stream_rng(root, "model", 1)
        a = math.sqrt(6.0 / (quantity + cfg.state_size))
        pool = rng.uniform(-a, a, size=(quantity, cfg.state_size)).astype(dtype)
        self._setup(cfg, root, dtype, backend, extra={"pooling_weights": pool})
        self.quantity = quantity

    def association(
        self,
        stored: Any,
        pattern_projection: Any = None,
        *,
        stored_pattern_padding_mask: Any = None,
        association_mask: Any = None,
    ) -> tuple[Any, Any]:
        """Output (..., quantity, output_size) and weights (..., H, quantity, L)."""
        c = self.config
        ops = self._ops(stored, pattern_projection)
        stored = self._as(stored, ops)
        proj = stored if pattern_projection is None else self._as(pattern_projection, ops)
        _check_input("stored", stored, c.stored_size)
        _check_input("pattern_projection", proj, c.projection_size)
        if stored.shape[-2] == 0:
            raise ValueError("stored must hold at least one pattern (length L >= 1)")
        state = self.params["pooling_weights"]
        _check_masks(stored, state, stored_pattern_padding_mask, association_mask)
        return hopfield_forward(
            self.params, c, ops, stored, state, proj,
            stored_pattern_padding_mask, association_mask,
        )

    def __call__(
        self,
        stored: Any,
        pattern_projection: Any = None,
        *,
        stored_pattern_padding_mask: Any = None,
        association_mask: Any = None,
    ) -> Any:
        """Pool ``stored`` (..., L, stored_size) into (..., quantity, output_size)."""
        return self.association(
            stored, pattern_projection,
            stored_pattern_padding_mask=stored_pattern_padding_mask,
            association_mask=association_mask,
        )[0]


class HopfieldLayer(_Base):
    __doc__ = """Hopfield layer with learned stored patterns: a learnable associative memory.

    ``out = Hopfield(stored=W_lookup, state=R, pattern_projection=W_target)`` with the
    learned ``lookup_weights`` (quantity stored patterns) and ``target_weights`` (their
    projections; the same array unless ``lookup_weights_as_separated``). By default the
    learned patterns live directly in the association space (``stored_pattern_as_static``
    and ``pattern_projection_as_static`` True, as in Ramsauer et al. 2020, Sec. 3
    "HopfieldLayer"), so the layer is ``softmax(beta R W_Q W_lookup^T) W_target W_O``.

    Parameters
    ----------
    input_size : int
        Feature size of the state patterns (the layer input).
    quantity : int
        Number of learned stored patterns, >= 1.
    lookup_weights_as_separated : bool
        Learn separate ``target_weights`` (pattern projections).
    hidden_size, output_size, pattern_size, stored_pattern_as_static,
    pattern_projection_as_static, state_pattern_as_static :
        As in :class:`Hopfield`; the learned patterns have size ``num_heads * hidden_size``
        (static) or ``input_size`` (projected).
    """ + _COMMON_DOC + """
    Examples
    --------
    >>> import numpy as np
    >>> mem = HopfieldLayer(input_size=8, quantity=16, seed=0)
    >>> mem(np.ones((3, 5, 8))).shape
    (3, 5, 8)
    """

    def __init__(
        self,
        input_size: int,
        quantity: int = 1,
        hidden_size: int | None = None,
        output_size: int | None = None,
        pattern_size: int | None = None,
        num_heads: int = 1,
        scaling: float | None = None,
        update_steps_max: int = 0,
        update_steps_eps: float = 1e-4,
        normalize_stored_pattern: bool = True,
        normalize_state_pattern: bool = True,
        normalize_pattern_projection: bool = True,
        normalize_affine: bool = True,
        lookup_weights_as_separated: bool = False,
        stored_pattern_as_static: bool = True,
        state_pattern_as_static: bool = False,
        pattern_projection_as_static: bool = True,
        disable_out_projection: bool = False,
        bias: bool = True,
        *,
        seed: SeedLike = None,
        dtype: Any = np.float64,
        backend: str = "numpy",
    ) -> None:
        quantity = check_int("quantity", quantity, low=1)
        input_size = check_int("input_size", input_size, low=1)
        dtype = check_float_dtype(dtype)
        lookup_weights_as_separated = check_bool("lookup_weights_as_separated",
                                                 lookup_weights_as_separated)
        stored_pattern_as_static = check_bool("stored_pattern_as_static",
                                              stored_pattern_as_static)
        pattern_projection_as_static = check_bool("pattern_projection_as_static",
                                                  pattern_projection_as_static)
        H = check_int("num_heads", num_heads, low=1)
        if hidden_size is None:
            if input_size % H:
                raise ValueError(
                    f"hidden_size (per head) must be given when input_size {input_size} is "
                    f"not divisible by num_heads={H}"
                )
            hidden_size = input_size // H
        dk = check_int("hidden_size", hidden_size, low=1)
        dv = check_int("pattern_size", pattern_size if pattern_size is not None else dk, low=1)
        d_lookup = H * dk if stored_pattern_as_static else input_size
        d_target = H * dv if pattern_projection_as_static else input_size
        if not lookup_weights_as_separated and d_lookup != d_target:
            raise ValueError(
                f"with shared lookup and target weights their sizes must agree "
                f"({d_lookup} != {d_target}); set lookup_weights_as_separated=True or make "
                f"pattern_size equal hidden_size"
            )
        cfg = _make_config(
            input_size=input_size, hidden_size=dk, output_size=output_size, pattern_size=dv,
            num_heads=H, scaling=scaling, update_steps_max=update_steps_max,
            update_steps_eps=update_steps_eps,
            normalize_stored_pattern=normalize_stored_pattern,
            normalize_state_pattern=normalize_state_pattern,
            normalize_pattern_projection=normalize_pattern_projection,
            normalize_affine=normalize_affine, stored_pattern_size=d_lookup,
            state_pattern_size=input_size, pattern_projection_size=d_target,
            stored_pattern_as_static=stored_pattern_as_static,
            state_pattern_as_static=state_pattern_as_static,
            pattern_projection_as_static=pattern_projection_as_static,
            disable_out_projection=disable_out_projection, bias=bias,
        )
        root = normalize_seed(seed)
        rng = stream_rng(root, "model", 2)
        a = math.sqrt(6.0 / (quantity + d_lookup))
        extra = {"lookup_weights": rng.uniform(-a, a, size=(quantity, d_lookup)).astype(dtype)}
        if lookup_weights_as_separated:
            a = math.sqrt(6.0 / (quantity + d_target))
            extra["target_weights"] = rng.uniform(-a, a, size=(quantity, d_target)).astype(dtype)
        self._setup(cfg, root, dtype, backend, extra=extra)
        self.quantity = quantity
        self.separated = bool(lookup_weights_as_separated)

    def association(
        self,
        state: Any,
        *,
        stored_pattern_padding_mask: Any = None,
        association_mask: Any = None,
    ) -> tuple[Any, Any]:
        """Output (..., S, output_size) and weights (..., H, S, quantity)."""
        c = self.config
        ops = self._ops(state)
        state = self._as(state, ops)
        _check_input("state", state, c.state_size)
        stored = self.params["lookup_weights"]
        proj = self.params.get("target_weights", stored)
        _check_masks(stored, state, stored_pattern_padding_mask, association_mask)
        return hopfield_forward(
            self.params, c, ops, stored, state, proj,
            stored_pattern_padding_mask, association_mask,
        )

    def __call__(
        self,
        state: Any,
        *,
        stored_pattern_padding_mask: Any = None,
        association_mask: Any = None,
    ) -> Any:
        """Associate ``state`` (..., S, input_size) with the learned patterns."""
        return self.association(
            state,
            stored_pattern_padding_mask=stored_pattern_padding_mask,
            association_mask=association_mask,
        )[0]

