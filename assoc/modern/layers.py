"""Hopfield layers, the NumPy specification: ``Hopfield``, ``HopfieldPooling``, ``HopfieldLayer``.

The layers of Ramsauer et al. 2020 (Sec. 3, "New Hopfield layers for deep learning";
Eqs. (9)-(11) of arXiv:2008.02217) associate *state patterns* R (queries) with *stored
patterns* Y (keys) and return a weighted sum of *pattern projections* (values)::

    Q = LN(R) W_Q,  K = LN(Y) W_K,  V = LN(Y_v) W_V     (per head; then optionally LN_hs)
    A_0 = softmax(beta Q K^T + M)
    A_t = softmax(beta (A_{t-1} K) K^T + M)     (the Hopfield update of the state, Eq. (3))
    Z = A_T V,   out = act(concat_heads(Z) W_O)                              (Eq. (10))

``LN`` is an optional layer normalisation, ``M`` the masks (a boolean entry True removes an
association, a floating entry is added to the logits), any projection may be switched off
("static" pattern), heads are independent, and ``act`` an optional element-wise function.
Each head h stops updating after ``update_steps_max[h]`` steps, or earlier once the
Frobenius norm of the change of its association matrix, the largest over the batch, is
``<= update_steps_eps[h]`` (the criterion of ml-jku/hopfield-layers, "hflayers"). With no
normalisation, no update steps and ``beta = 1/sqrt(d_k)`` the layer *is* multi-head softmax
attention (Vaswani et al. 2017), which the tests check to 1e-12 in float64.

- :class:`Hopfield`: state and stored patterns are inputs.
- :class:`HopfieldPooling`: the state patterns are learned (static queries): pooling of a
  set of stored patterns, as in DeepRC (Widrich et al. 2020).
- :class:`HopfieldLayer`: the stored patterns (and their projections) are learned: a
  learnable associative memory, as in Hopular (Schaefl et al. 2022).

The options, their names and defaults are those of hflayers (the parity tests in
``tests/assoc/modern/test_hflayers_parity.py`` copy hflayers' weights and agree to 1e-10 in
float64); the differences, all documented in the classes, are: inputs may have any number
of batch axes; a fully masked state gets zero weights (hflayers: NaN); per-head ``scaling``
scales each head (hflayers' tensor scaling cycles over the features instead); a static
pattern may also hold one slice per head; padding masks may be floating (additive);
static patterns are repeated along the head axis (hflayers repeats them along the batch
axis, so with several heads and batch entries its heads see other entries' patterns);
``concat_bias_pattern`` (a no-op in hflayers) is absent; sizes are fixed at construction
(hflayers infers a purely static association's from its inputs); parameters are
initialised Xavier-uniform from ``seed`` (hflayers: normal(0, 0.02) from torch's global
generator).

Conventions: a projection is ``x @ W + b`` with ``W`` of shape (in, out). This module is
the executable specification; :mod:`assoc.modern.torch_layers` is the fast
``torch.nn.Module`` implementation, tested equal to it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..backend import get_namespace, resolve_backend, to_numpy
from ..errors import NotConvergedError
from ..seeding import SeedLike, normalize_seed, stream_rng
from ..validation import check_bool, check_int
from ._checks import check_float_dtype
from .layer_config import HopfieldConfig, activation, init_params, make_config

__all__ = [
    "HopfieldConfig",
    "Hopfield",
    "HopfieldPooling",
    "HopfieldLayer",
    "hopfield_forward",
    "mask_layout",
    "MAX_UNBOUNDED_STEPS",
]

#: Update steps after which a head with ``update_steps_max=None`` that has not converged
#: raises :class:`~assoc.errors.NotConvergedError` (hflayers would loop for ever).
MAX_UNBOUNDED_STEPS = 10_000


# ----------------------------------------------------------------------------------------
# the association (array code, NumPy / CuPy)
# ----------------------------------------------------------------------------------------
def _layer_norm(x: Any, w: Any, b: Any, eps: float, xp: Any) -> Any:
    mu = x.mean(-1, keepdims=True)
    c = x - mu
    y = c / xp.sqrt((c * c).mean(-1, keepdims=True) + eps)
    return y if w is None else y * w + b


def _project(x: Any, params: dict[str, Any], key: str, static: bool = False) -> Any:
    if static:
        return x
    y = x @ params[f"W_{key}"]
    b = params.get(f"b_{key}")
    return y if b is None else y + b


def _heads(x: Any, H: int, shared: bool, xp: Any) -> Any:
    """(..., n, F) -> (..., H, n, F / H), or (..., H, n, F) repeated when ``shared``."""
    if shared:
        x = x[..., None, :, :]
        return xp.broadcast_to(x, x.shape[:-3] + (H,) + x.shape[-2:])
    shape = tuple(x.shape)
    x = x.reshape(shape[:-1] + (H, shape[-1] // H))
    return xp.swapaxes(x, -2, -3)


def _merge_heads(x: Any) -> Any:
    # (..., H, S, e) -> (..., S, H*e)
    shape = tuple(x.shape)
    x = x.swapaxes(-2, -3)
    return x.reshape(shape[:-3] + (shape[-2], shape[-3] * shape[-1]))


def _softmax(s: Any, bias: Any, xp: Any) -> Any:
    """Softmax over the last axis of ``s + bias``; a row of -inf only gives zero weights."""
    if bias is not None:
        s = s + bias
    m = s.max(-1, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0.0)
    e = xp.exp(s - m)
    z = e.sum(-1, keepdims=True)
    return e / xp.where(z > 0, z, 1.0)


def mask_layout(shape: tuple[int, ...], batch: tuple[int, ...], H: int) -> str:
    """How an ``association_mask`` of ``shape`` applies to inputs of batch shape ``batch``.

    Returns ``'shared'`` for (S, L) or (..., S, L) (one mask for all heads), ``'heads'`` for
    (..., H, S, L) or (..., 1, S, L) (a head axis: ``len(shape) == len(batch) + 3``) and
    ``'hflayers'`` for hflayers' (B * H, S, L) layout (one batch axis B, ``H > 1``).
    """
    if len(shape) == len(batch) + 3 and shape[-3] in (1, H):
        return "heads"
    if H > 1 and len(batch) == 1 and len(shape) == 3 and shape[0] == batch[0] * H \
            and shape[0] != batch[0]:
        return "hflayers"
    return "shared"


def _additive(mask: Any, xp: Any, dtype: Any) -> Any:
    if mask.dtype == bool:
        return xp.where(mask, -np.inf, 0.0).astype(dtype)
    return mask.astype(dtype)


def _mask_bias(cfg: HopfieldConfig, xp: Any, dtype: Any, batch: tuple[int, ...],
               padding: Any, assoc: Any) -> Any:
    """The masks as one additive array broadcasting against (..., H, S, L)."""
    bias = None
    if padding is not None:
        bias = _additive(padding, xp, dtype)[..., None, None, :]
    if assoc is not None:
        a = _additive(assoc, xp, dtype)
        layout = mask_layout(tuple(assoc.shape), batch, cfg.num_heads)
        if layout == "hflayers":
            a = a.reshape((batch[0], cfg.num_heads) + tuple(a.shape[-2:]))
        elif layout == "shared":
            a = a[..., None, :, :]
        bias = a if bias is None else bias + a
    if bias is not None and cfg.add_zero_association:
        pad = [(0, 0)] * (bias.ndim - 1) + [(0, 1)]
        bias = xp.pad(bias, pad)
    return bias


def hopfield_forward(
    params: dict[str, Any],
    cfg: HopfieldConfig,
    stored: Any,
    state: Any,
    projection: Any,
    stored_pattern_padding_mask: Any = None,
    association_mask: Any = None,
    *,
    dropout_rng: np.random.Generator | None = None,
) -> tuple[Any, Any, Any]:
    """The Hopfield association (module notes; Ramsauer et al. 2020, Eqs. (3), (10)).

    Inputs are batch-first and already checked (see :meth:`Hopfield.association`).

    Parameters
    ----------
    params : dict
        Weights (see :func:`assoc.modern.layer_config.init_params`), arrays of one namespace.
    cfg : HopfieldConfig
    stored : array, shape (..., L, stored_size)
    state : array, shape (..., S, state_size)
    projection : array, shape (..., L, projection_size)
    stored_pattern_padding_mask : bool or floating array, shape (..., L), optional
    association_mask : bool or floating array, optional
        Shape (S, L), (..., S, L), (..., H, S, L) or hflayers' (B * H, S, L).
    dropout_rng : numpy.random.Generator, optional
        Draws the association dropout (training); None: no dropout.

    Returns
    -------
    output : array, shape (..., S, output_size)
    weights : array, shape (..., num_heads, S, L)
        The final association matrix (before dropout); L + 1 columns with
        ``add_zero_association``.
    values : array, shape (..., num_heads, L, pattern_size)
        The projected patterns V (hflayers' ``get_projected_pattern_matrix``).
    """
    c = cfg
    xp = get_namespace(stored, state, projection, *params.values())
    dtype = stored.dtype
    H = c.num_heads
    if c.normalize_state:
        state = _layer_norm(state, params.get("ln_state_weight"), params.get("ln_state_bias"),
                            c.normalize_state_eps, xp)
    if c.normalize_stored:
        stored = _layer_norm(stored, params.get("ln_stored_weight"),
                             params.get("ln_stored_bias"), c.normalize_stored_eps, xp)
    if c.normalize_projection:
        projection = _layer_norm(projection, params.get("ln_projection_weight"),
                                 params.get("ln_projection_bias"), c.normalize_projection_eps, xp)
    q = _heads(_project(state, params, "Q", c.state_static), H,
               c.state_static and c.shared("state"), xp)
    k = _heads(_project(stored, params, "K", c.stored_static), H,
               c.stored_static and c.shared("stored"), xp)
    if c.projection_connected and not c.stored_static:
        projection = _project(projection, params, "K")  # through the stored patterns' W_K
    v = _heads(_project(projection, params, "V", c.projection_static), H,
               c.projection_static and c.shared("projection"), xp)
    if c.normalize_hopfield_space:  # per head, over d_k; one affine map for Q and K
        w, b = params.get("ln_hopfield_weight"), params.get("ln_hopfield_bias")
        q = _layer_norm(q, w, b, c.normalize_hopfield_space_eps, xp)
        k = _layer_norm(k, w, b, c.normalize_hopfield_space_eps, xp)
    if c.add_zero_association:
        k = xp.concatenate([k, xp.zeros(k.shape[:-2] + (1, k.shape[-1]), dtype=dtype)], -2)
        v = xp.concatenate([v, xp.zeros(v.shape[:-2] + (1, v.shape[-1]), dtype=dtype)], -2)
    batch = np.broadcast_shapes(tuple(q.shape[:-3]), tuple(k.shape[:-3]))
    bias = _mask_bias(c, xp, dtype, batch, stored_pattern_padding_mask, association_mask)
    beta = xp.asarray(c.scaling, dtype=dtype).reshape(H, 1, 1)
    kt = xp.swapaxes(k, -1, -2)
    a = _softmax((q * beta) @ kt, bias, xp)  # A_0
    active = [s is None or s > 0 for s in c.update_steps_max]
    t = 0
    while any(active):  # Hopfield updates of the state, Eq. (3), per head
        if t >= MAX_UNBOUNDED_STEPS:
            raise NotConvergedError(
                f"update_steps_max=None: heads {[h for h in range(H) if active[h]]} did not "
                f"converge to update_steps_eps={c.update_steps_eps} in {t} update steps",
                n_iter=t,
            )
        new = _softmax(((a @ k) * beta) @ kt, bias, xp)
        t += 1
        new = xp.where(xp.asarray(active)[:, None, None], new, a)
        d = new - a
        change = xp.sqrt((d * d).sum(axis=(-2, -1))).reshape(-1, H)  # per (batch, head)
        change = to_numpy(change.max(0)) if change.shape[0] else np.zeros(H)
        a = new
        active = [
            bool(active[h] and (s is None or t < s) and change[h] > e)
            for h, (s, e) in enumerate(zip(c.update_steps_max, c.update_steps_eps, strict=True))
        ]
    weights = a
    v = xp.broadcast_to(v, tuple(batch) + tuple(v.shape[-3:]))
    if dropout_rng is not None and c.dropout > 0.0:
        keep = xp.asarray(dropout_rng.random(tuple(a.shape)) >= c.dropout)
        a = a * keep / (1.0 - c.dropout)
    z = _merge_heads(a @ v)
    out = _project(z, params, "O", not c.out_projection)
    if c.association_activation is not None:
        out = activation(c.association_activation, xp)(out)
    return out, weights, v


# ----------------------------------------------------------------------------------------
# input checks
# ----------------------------------------------------------------------------------------
def _check_input(name: str, x: Any, size: int) -> None:
    if x.ndim < 2:
        raise ValueError(f"{name} must have shape (..., length, {size}) (got {tuple(x.shape)})")
    if x.shape[-1] != size:
        raise ValueError(
            f"{name} has feature size {x.shape[-1]} but the layer expects {size}: {name} "
            f"must have shape (..., length, {size})"
        )


def _mask_kind(name: str, mask: Any) -> None:
    kind = getattr(mask.dtype, "kind", None)
    if kind is None:  # a torch dtype
        if mask.dtype.is_floating_point or str(mask.dtype) == "torch.bool":
            return
    elif kind in "bf":
        return
    raise TypeError(f"{name} must be boolean (True removes an association) or floating (added "
                    f"to the logits) (got dtype {mask.dtype})")


def _check_masks(stored: Any, state: Any, padding: Any, assoc: Any, H: int = 1) -> None:
    """Shapes and dtypes of the masks (any array type with ``shape`` and ``dtype``)."""
    L, S = stored.shape[-2], state.shape[-2]
    batch = tuple(np.broadcast_shapes(tuple(stored.shape[:-2]), tuple(state.shape[:-2])))
    full = batch + (H, S, L)

    def fits(shape: tuple[int, ...]) -> bool:
        try:
            return tuple(np.broadcast_shapes(shape, full)) == full
        except ValueError:
            return False

    if padding is not None:
        _mask_kind("stored_pattern_padding_mask", padding)
        shp = tuple(padding.shape)
        if len(shp) == 0 or shp[-1] != L or not fits(shp[:-1] + (1, 1, L)):
            raise ValueError(
                f"stored_pattern_padding_mask must have shape (..., L) with L = {L} and batch "
                f"axes broadcasting against {batch} (got {shp})"
            )
    if assoc is not None:
        _mask_kind("association_mask", assoc)
        shp = tuple(assoc.shape)
        ok = len(shp) >= 2 and shp[-2:] == (S, L)
        if ok:
            layout = mask_layout(shp, batch, H)
            eff = shp if layout == "heads" else (batch[0], H) + shp[-2:] \
                if layout == "hflayers" else shp[:-2] + (1,) + shp[-2:]
            ok = fits(eff)
        if not ok:
            raise ValueError(
                f"association_mask must have shape (S, L), (..., S, L), (..., num_heads, S, L) "
                f"or (B * num_heads, S, L) with S = {S}, L = {L}, num_heads = {H} and batch "
                f"axes broadcasting against {batch} (got {shp})"
            )


def _check_mask_values(name: str, mask: Any, xp: Any) -> None:
    if mask is not None and mask.dtype != bool:
        bad = xp.isnan(mask) | (mask == np.inf)
        if bool(bad.any()):
            raise ValueError(f"{name} must hold values < inf, not NaN (a floating mask is "
                             f"added to the logits; -inf removes an association)")


def _from_batch_first(x: Any, batch_first: bool, xp: Any) -> Any:
    """(length, batch..., F) -> (batch..., length, F) when not batch_first."""
    if batch_first or x.ndim < 3:
        return x
    return xp.moveaxis(x, 0, -2)


def _to_batch_first_output(x: Any, batch_first: bool, xp: Any) -> Any:
    if batch_first or x.ndim < 3:
        return x
    return xp.moveaxis(x, -2, 0)


# ----------------------------------------------------------------------------------------
# the layer classes
# ----------------------------------------------------------------------------------------
class _Base:
    """Shared parameter handling and calling of the layers."""

    config: HopfieldConfig
    params: dict[str, Any]
    #: parameters that the torch modules do not train (hflayers' ``trainable`` flags)
    frozen: frozenset[str] = frozenset()

    def _setup(
        self, cfg: HopfieldConfig, seed: SeedLike, dtype: Any, backend: str,
        extra: dict[str, np.ndarray] | None = None,
    ) -> None:
        self.config = cfg
        dtype = check_float_dtype(dtype)
        root = normalize_seed(seed)
        rng = stream_rng(root, "model", 0)
        params = init_params(cfg, rng, dtype)
        params.update(extra or {})
        xp = resolve_backend(backend)
        self.params = {k: xp.asarray(v) for k, v in params.items()}
        self.dtype = dtype

    @property
    def xp(self) -> Any:
        return get_namespace(*self.params.values())

    def _ns(self, *arrays: Any) -> Any:
        return get_namespace(*(a for a in arrays if a is not None), *self.params.values())

    def _as(self, x: Any, xp: Any) -> Any:
        x = xp.asarray(x)
        if x.dtype != self.dtype:
            x = x.astype(self.dtype)
        return x

    def _mask(self, name: str, m: Any, xp: Any) -> Any:
        if m is None:
            return None
        m = xp.asarray(m)
        _mask_kind(name, m)
        if m.dtype != bool and m.dtype != self.dtype:
            m = m.astype(self.dtype)
        _check_mask_values(name, m, xp)
        return m

    def _run(self, xp: Any, stored: Any, state: Any, proj: Any, padding: Any, assoc: Any,
             training: bool, seed: SeedLike) -> tuple[Any, Any, Any]:
        c = self.config
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
        padding = self._mask("stored_pattern_padding_mask", padding, xp)
        assoc = self._mask("association_mask", assoc, xp)
        _check_masks(stored, state, padding, assoc, c.num_heads)
        rng = None
        if check_bool("training", training) and c.dropout > 0.0:
            rng = np.random.default_rng(normalize_seed(seed))
        out, w, v = hopfield_forward(self.params, c, stored, state, proj, padding, assoc,
                                     dropout_rng=rng)
        return _to_batch_first_output(out, c.batch_first, xp), w, v

    def __repr__(self) -> str:
        c = self.config

        def one(t: tuple) -> Any:
            return t[0] if len(set(t)) == 1 else list(t)

        return (
            f"{type(self).__name__}(state_size={c.state_size}, stored_size={c.stored_size}, "
            f"hidden_size={c.hidden_size}, num_heads={c.num_heads}, "
            f"scaling={one(c.scaling)!r}, update_steps_max={one(c.update_steps_max)!r}, "
            f"output_size={c.output_size})"
        )

    def to_numpy(self) -> dict[str, np.ndarray]:
        """Copy of the parameters as NumPy arrays."""
        return {k: to_numpy(v).copy() for k, v in self.params.items()}


_COMMON_DOC = """
    num_heads : int
        Number of independent heads, >= 1.
    scaling : float, sequence of float or None
        ``beta`` > 0, one for all heads or one per head; default ``1 / sqrt(hidden_size)``
        (attention), 1 for a purely static association (as hflayers). hflayers' per-head
        tensor cycles over the features instead of scaling each head (a bug); here head h
        is scaled by ``scaling[h]``.
    update_steps_max : int, sequence or None
        Hopfield updates of the state before the final association (0: attention); None:
        until converged (``update_steps_eps`` > 0 is then required; a head that has not
        converged after :data:`MAX_UNBOUNDED_STEPS` raises NotConvergedError). One for all
        heads or one per head (each entry an int >= 0 or None).
    update_steps_eps : float or sequence of float
        Head h stops updating once the Frobenius norm of the change of its association
        matrix softmax(beta xi K^T), the largest over the batch, is <= update_steps_eps[h]
        (hflayers' criterion: a head's stop depends on the whole batch). >= 0; hflayers
        requires > 0.
    normalize_stored_pattern, normalize_state_pattern, normalize_pattern_projection : bool
        Layer normalisation of each input over its features (default True).
    normalize_stored_pattern_affine, normalize_state_pattern_affine,
    normalize_pattern_projection_affine : bool
        Learned scale and shift of each of them (default True; ignored without the
        normalisation, where hflayers raises).
    normalize_stored_pattern_eps, normalize_state_pattern_eps,
    normalize_pattern_projection_eps : float
        The ``eps`` > 0 of each layer normalisation (default 1e-5).
    normalize_hopfield_space : bool
        Layer normalisation of the projected state and stored patterns of each head (over
        ``hidden_size``; before the scaling, not repeated in the updates), default False.
    normalize_hopfield_space_affine : bool
        Its learned scale and shift (``ln_hopfield_weight``/``_bias``, shared by heads and
        by the state and stored patterns), default False.
    normalize_hopfield_space_eps : float
    pattern_projection_as_connected : bool
        The pattern projections pass through the stored patterns' projection W_K before
        their own W_V (then of shape (num_heads * hidden_size, num_heads * pattern_size)).
    batch_first : bool
        Inputs (batch, length, features) (default); False: (length, batch, features), and
        the output likewise (association matrices and masks stay batch-first).
    association_activation : str or None
        Element-wise function applied to the output: one of 'relu', 'tanh', 'sigmoid',
        'selu', 'abs', 'exp', 'square', 'sin', 'cos' (the ``torch.<name>`` of hflayers).
    dropout : float
        Dropout probability in [0, 1) of the association matrix, applied in training only
        (``training=True`` and a ``seed`` in the call here; ``module.train()`` in torch).
    bias : bool
        Biases in the projections (hflayers' ``input_bias``).
    add_zero_association : bool
        Append a zero stored pattern and pattern projection (one more column of the
        association matrix, never masked).
    disable_out_projection : bool
        Return the concatenated heads without W_O.
    seed : int, SeedSequence, Generator or None
        Keyword-only; parameters are drawn from the ``'model'`` stream of this seed.
    dtype : numpy dtype
        Parameter dtype (default float64).
    backend : {'numpy', 'cupy', 'auto'}
        Where the parameters live.

    Notes
    -----
    The arguments after ``update_steps_eps`` are keyword-only (their hflayers names).
    Calls take ``stored_pattern_padding_mask`` (..., L) and ``association_mask`` ((S, L),
    (..., S, L), per head (..., num_heads, S, L), or hflayers' (B * num_heads, S, L)):
    boolean masks remove the associations where True, floating masks are added to the
    logits (hflayers: the padding mask must be boolean). A state whose associations are
    all removed gets zero weights (hflayers: NaN).
"""

class Hopfield(_Base):
    __doc__ = """Hopfield association of state patterns with stored patterns through projections.

    ``out = act(concat_h[A_h V_h] W_O)`` with ``A_h`` the association matrix of head h after
    its Hopfield updates (module notes; Ramsauer et al. 2020, Eq. (10), the layer
    ``Hopfield``; the options of ml-jku/hopfield-layers' ``hflayers.Hopfield``).

    Parameters
    ----------
    input_size : int, optional
        Feature size of the state patterns, and default of the other inputs' sizes.
    hidden_size : int, optional
        Association size per head ``d_k``; default ``state size // num_heads`` (the state
        size itself in a purely static association).
    output_size : int, optional
        Default: the state pattern size.
    pattern_size : int, optional
        Value size per head ``d_v``; default ``hidden_size``.
    stored_pattern_size, pattern_projection_size : int, optional
        Feature sizes of the stored patterns and pattern projections (default input_size).
    state_pattern_size : int, optional
        Feature size of the state patterns when it differs from input_size.
    stored_pattern_as_static, state_pattern_as_static, pattern_projection_as_static : bool
        Use the input without its projection: an input of the per-head size (hidden_size,
        pattern_size) is shared by all heads (as in hflayers), one of num_heads times that
        size is split into one slice per head.
    """ + _COMMON_DOC + """
    Attributes
    ----------
    config : HopfieldConfig
    params : dict of arrays
        ``W_Q`` (state_size, H d_k), ``W_K`` (stored_size, H d_k), ``W_V``
        (projection_size, H d_v), ``W_O`` (H d_v, output_size), biases ``b_*`` and
        layer-norm ``ln_*_weight``/``ln_*_bias``; replace entries to set weights
        (:func:`assoc.modern.hflayers_compat.load_hflayers` copies hflayers' weights).

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
        scaling: float | Sequence[float] | None = None,
        update_steps_max: int | Sequence[int | None] | None = 0,
        update_steps_eps: float | Sequence[float] = 1e-4,
        *,
        normalize_stored_pattern: bool = True,
        normalize_stored_pattern_affine: bool = True,
        normalize_stored_pattern_eps: float = 1e-5,
        normalize_state_pattern: bool = True,
        normalize_state_pattern_affine: bool = True,
        normalize_state_pattern_eps: float = 1e-5,
        normalize_pattern_projection: bool = True,
        normalize_pattern_projection_affine: bool = True,
        normalize_pattern_projection_eps: float = 1e-5,
        normalize_hopfield_space: bool = False,
        normalize_hopfield_space_affine: bool = False,
        normalize_hopfield_space_eps: float = 1e-5,
        stored_pattern_as_static: bool = False,
        state_pattern_as_static: bool = False,
        pattern_projection_as_static: bool = False,
        pattern_projection_as_connected: bool = False,
        stored_pattern_size: int | None = None,
        state_pattern_size: int | None = None,
        pattern_projection_size: int | None = None,
        batch_first: bool = True,
        association_activation: str | None = None,
        dropout: float = 0.0,
        bias: bool = True,
        add_zero_association: bool = False,
        disable_out_projection: bool = False,
        seed: SeedLike = None,
        dtype: Any = np.float64,
        backend: str = "numpy",
    ) -> None:
        cfg = make_config(
            input_size=input_size, hidden_size=hidden_size, output_size=output_size,
            pattern_size=pattern_size, num_heads=num_heads, scaling=scaling,
            update_steps_max=update_steps_max, update_steps_eps=update_steps_eps,
            normalize_stored_pattern=normalize_stored_pattern,
            normalize_stored_pattern_affine=normalize_stored_pattern_affine,
            normalize_stored_pattern_eps=normalize_stored_pattern_eps,
            normalize_state_pattern=normalize_state_pattern,
            normalize_state_pattern_affine=normalize_state_pattern_affine,
            normalize_state_pattern_eps=normalize_state_pattern_eps,
            normalize_pattern_projection=normalize_pattern_projection,
            normalize_pattern_projection_affine=normalize_pattern_projection_affine,
            normalize_pattern_projection_eps=normalize_pattern_projection_eps,
            normalize_hopfield_space=normalize_hopfield_space,
            normalize_hopfield_space_affine=normalize_hopfield_space_affine,
            normalize_hopfield_space_eps=normalize_hopfield_space_eps,
            stored_pattern_as_static=stored_pattern_as_static,
            state_pattern_as_static=state_pattern_as_static,
            pattern_projection_as_static=pattern_projection_as_static,
            pattern_projection_as_connected=pattern_projection_as_connected,
            stored_pattern_size=stored_pattern_size, state_pattern_size=state_pattern_size,
            pattern_projection_size=pattern_projection_size, batch_first=batch_first,
            association_activation=association_activation, dropout=dropout, bias=bias,
            add_zero_association=add_zero_association,
            disable_out_projection=disable_out_projection,
        )
        self._setup(cfg, seed, dtype, backend)

    def association(
        self,
        stored: Any,
        state: Any = None,
        pattern_projection: Any = None,
        *,
        stored_pattern_padding_mask: Any = None,
        association_mask: Any = None,
        training: bool = False,
        seed: SeedLike = None,
    ) -> tuple[Any, Any]:
        """Output (..., S, output_size) and association matrix (..., H, S, L) (before
        dropout; L + 1 columns with ``add_zero_association``); arguments as in ``__call__``."""
        out, w, _ = self._associate(stored, state, pattern_projection,
                                    stored_pattern_padding_mask, association_mask,
                                    training, seed)
        return out, w

    def _associate(self, stored: Any, state: Any, proj: Any, padding: Any, assoc: Any,
                   training: bool, seed: SeedLike) -> tuple[Any, Any, Any]:
        xp = self._ns(stored, state, proj)
        bf = self.config.batch_first
        stored = _from_batch_first(self._as(stored, xp), bf, xp)
        state = stored if state is None else _from_batch_first(self._as(state, xp), bf, xp)
        proj = stored if proj is None else _from_batch_first(self._as(proj, xp), bf, xp)
        return self._run(xp, stored, state, proj, padding, assoc, training, seed)

    def __call__(
        self,
        stored: Any,
        state: Any = None,
        pattern_projection: Any = None,
        *,
        stored_pattern_padding_mask: Any = None,
        association_mask: Any = None,
        training: bool = False,
        seed: SeedLike = None,
    ) -> Any:
        """Forward pass.

        Parameters
        ----------
        stored : array, shape (..., L, stored_size)
            Stored patterns Y (keys); (L, ..., stored_size) when not batch_first.
        state : array, shape (..., S, state_size), optional
            State patterns R (queries); default ``stored`` (self-association).
        pattern_projection : array, shape (..., L, projection_size), optional
            Inputs of the values; default ``stored``.
        stored_pattern_padding_mask : bool or floating array, shape (..., L), optional
            True (or -inf) removes a stored pattern; a floating mask is added to the logits.
        association_mask : bool or floating array, optional
            (S, L), (..., S, L), (..., num_heads, S, L) or (B * num_heads, S, L).
        training : bool
            Apply the association dropout (with ``seed``).
        seed : int, SeedSequence, Generator or None
            The dropout's randomness (training only).

        Returns
        -------
        array, shape (..., S, output_size)
        """
        return self._associate(stored, state, pattern_projection, stored_pattern_padding_mask,
                               association_mask, training, seed)[0]

    def get_association_matrix(self, stored: Any, state: Any = None,
                               pattern_projection: Any = None, *,
                               stored_pattern_padding_mask: Any = None,
                               association_mask: Any = None) -> Any:
        """The association matrix, shape (..., num_heads, S, L) (hflayers' method)."""
        return self._associate(stored, state, pattern_projection, stored_pattern_padding_mask,
                               association_mask, False, None)[1]

    def get_projected_pattern_matrix(self, stored: Any, state: Any = None,
                                     pattern_projection: Any = None, *,
                                     stored_pattern_padding_mask: Any = None,
                                     association_mask: Any = None) -> Any:
        """The projected patterns V, shape (..., num_heads, L, pattern_size) (hflayers')."""
        return self._associate(stored, state, pattern_projection, stored_pattern_padding_mask,
                               association_mask, False, None)[2]


def _learned(rng: np.random.Generator, n: int, d: int, dtype: Any) -> np.ndarray:
    a = math.sqrt(6.0 / (n + d))
    return rng.uniform(-a, a, size=(n, d)).astype(dtype)


def _static_execution(state_static: bool, stored_static: bool, proj_static: bool,
                      connected: bool, no_out: bool, hs_norm: bool) -> bool:
    return state_static and stored_static and proj_static and not connected and no_out \
        and not hs_norm


def _hidden(hidden_size: int | None, state_size: int, H: Any, all_static: bool) -> Any:
    """The per-head size as make_config will fill it (None where it will raise)."""
    if hidden_size is not None:
        ok = isinstance(hidden_size, int) and not isinstance(hidden_size, bool) \
            and hidden_size >= 1
        return hidden_size if ok else None
    if all_static:
        return state_size
    if isinstance(H, int) and not isinstance(H, bool) and H >= 1 and state_size % H == 0:
        return state_size // H
    return None


class HopfieldPooling(_Base):
    __doc__ = """Hopfield pooling: learned static state patterns (queries) pool the stored patterns.

    ``out = Hopfield(stored=Y, state=P)`` with ``P`` the learned ``pooling_weights`` of
    shape (quantity, state_size) (Ramsauer et al. 2020, Sec. 3 "HopfieldPooling";
    Widrich et al. 2020, DeepRC). The output keeps the quantity axis, (..., quantity,
    output_size); hflayers (and :class:`assoc.modern.torch_layers.HopfieldPooling`)
    flattens it: (batch, quantity * output_size).

    Parameters
    ----------
    input_size : int
        Feature size of the stored patterns, and of the learned queries unless they are
        static (then ``hidden_size``) or ``state_pattern_size`` is given.
    quantity : int
        Number of learned state patterns (pooling outputs), >= 1; keyword-only.
    trainable : bool
        Whether the torch module trains the pooling weights (default True).
    hidden_size, output_size, pattern_size, stored_pattern_size, state_pattern_size,
    pattern_projection_size, *_as_static, pattern_projection_as_connected :
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
        hidden_size: int | None = None,
        output_size: int | None = None,
        pattern_size: int | None = None,
        num_heads: int = 1,
        scaling: float | Sequence[float] | None = None,
        update_steps_max: int | Sequence[int | None] | None = 0,
        update_steps_eps: float | Sequence[float] = 1e-4,
        *,
        normalize_stored_pattern: bool = True,
        normalize_stored_pattern_affine: bool = True,
        normalize_stored_pattern_eps: float = 1e-5,
        normalize_state_pattern: bool = True,
        normalize_state_pattern_affine: bool = True,
        normalize_state_pattern_eps: float = 1e-5,
        normalize_pattern_projection: bool = True,
        normalize_pattern_projection_affine: bool = True,
        normalize_pattern_projection_eps: float = 1e-5,
        normalize_hopfield_space: bool = False,
        normalize_hopfield_space_affine: bool = False,
        normalize_hopfield_space_eps: float = 1e-5,
        stored_pattern_as_static: bool = False,
        state_pattern_as_static: bool = False,
        pattern_projection_as_static: bool = False,
        pattern_projection_as_connected: bool = False,
        stored_pattern_size: int | None = None,
        state_pattern_size: int | None = None,
        pattern_projection_size: int | None = None,
        batch_first: bool = True,
        association_activation: str | None = None,
        dropout: float = 0.0,
        bias: bool = True,
        add_zero_association: bool = False,
        disable_out_projection: bool = False,
        quantity: int = 1,
        trainable: bool = True,
        seed: SeedLike = None,
        dtype: Any = np.float64,
        backend: str = "numpy",
    ) -> None:
        quantity = check_int("quantity", quantity, low=1)
        input_size = check_int("input_size", input_size, low=1)
        trainable = check_bool("trainable", trainable)
        state_static = check_bool("state_pattern_as_static", state_pattern_as_static)
        dtype = check_float_dtype(dtype)
        if state_pattern_size is None and state_static:
            all_static = _static_execution(
                True, stored_pattern_as_static is True, pattern_projection_as_static is True,
                pattern_projection_as_connected is True, disable_out_projection is True,
                normalize_hopfield_space is True)
            state_pattern_size = _hidden(hidden_size, input_size, num_heads, all_static)
        cfg = make_config(
            input_size=input_size, hidden_size=hidden_size, output_size=output_size,
            pattern_size=pattern_size, num_heads=num_heads, scaling=scaling,
            update_steps_max=update_steps_max, update_steps_eps=update_steps_eps,
            normalize_stored_pattern=normalize_stored_pattern,
            normalize_stored_pattern_affine=normalize_stored_pattern_affine,
            normalize_stored_pattern_eps=normalize_stored_pattern_eps,
            normalize_state_pattern=normalize_state_pattern,
            normalize_state_pattern_affine=normalize_state_pattern_affine,
            normalize_state_pattern_eps=normalize_state_pattern_eps,
            normalize_pattern_projection=normalize_pattern_projection,
            normalize_pattern_projection_affine=normalize_pattern_projection_affine,
            normalize_pattern_projection_eps=normalize_pattern_projection_eps,
            normalize_hopfield_space=normalize_hopfield_space,
            normalize_hopfield_space_affine=normalize_hopfield_space_affine,
            normalize_hopfield_space_eps=normalize_hopfield_space_eps,
            stored_pattern_as_static=stored_pattern_as_static,
            state_pattern_as_static=state_static,
            pattern_projection_as_static=pattern_projection_as_static,
            pattern_projection_as_connected=pattern_projection_as_connected,
            stored_pattern_size=stored_pattern_size, state_pattern_size=state_pattern_size,
            pattern_projection_size=pattern_projection_size, batch_first=batch_first,
            association_activation=association_activation, dropout=dropout, bias=bias,
            add_zero_association=add_zero_association,
            disable_out_projection=disable_out_projection,
        )
        root = normalize_seed(seed)
        pool = _learned(stream_rng(root, "model", 1), quantity, cfg.state_size, dtype)
        self._setup(cfg, root, dtype, backend, extra={"pooling_weights": pool})
        self.quantity = quantity
        self.frozen = frozenset() if trainable else frozenset({"pooling_weights"})

    def association(
        self,
        stored: Any,
        pattern_projection: Any = None,
        *,
        stored_pattern_padding_mask: Any = None,
        association_mask: Any = None,
        training: bool = False,
        seed: SeedLike = None,
    ) -> tuple[Any, Any]:
        """Output (..., quantity, output_size) and association matrix (..., H, quantity, L)."""
        out, w, _ = self._associate(stored, pattern_projection, stored_pattern_padding_mask,
                                    association_mask, training, seed)
        return out, w

    def _associate(self, stored: Any, proj: Any, padding: Any, assoc: Any, training: bool,
                   seed: SeedLike) -> tuple[Any, Any, Any]:
        xp = self._ns(stored, proj)
        bf = self.config.batch_first
        stored = _from_batch_first(self._as(stored, xp), bf, xp)
        proj = stored if proj is None else _from_batch_first(self._as(proj, xp), bf, xp)
        return self._run(xp, stored, self.params["pooling_weights"], proj, padding, assoc,
                         training, seed)

    def __call__(
        self,
        stored: Any,
        pattern_projection: Any = None,
        *,
        stored_pattern_padding_mask: Any = None,
        association_mask: Any = None,
        training: bool = False,
        seed: SeedLike = None,
    ) -> Any:
        """Pool ``stored`` (..., L, stored_size) into (..., quantity, output_size).

        Parameters
        ----------
        stored : array, shape (..., L, stored_size)
        pattern_projection : array, shape (..., L, projection_size), optional
        stored_pattern_padding_mask : bool or floating array, shape (..., L), optional
            True (or -inf) removes a stored pattern; a floating mask is added to the logits.
        association_mask : bool or floating array, optional
            (S, L), (..., S, L), (..., num_heads, S, L) or (B * num_heads, S, L).
        training : bool
            Apply the association dropout (with ``seed``).
        seed : int, SeedSequence, Generator or None
            The dropout's randomness (training only).

        Returns
        -------
        array, shape (..., quantity, output_size)
        """
        return self._associate(stored, pattern_projection, stored_pattern_padding_mask,
                               association_mask, training, seed)[0]

    def get_association_matrix(self, stored: Any, pattern_projection: Any = None, *,
                               stored_pattern_padding_mask: Any = None,
                               association_mask: Any = None) -> Any:
        """The association matrix, shape (..., num_heads, quantity, L)."""
        return self._associate(stored, pattern_projection, stored_pattern_padding_mask,
                               association_mask, False, None)[1]

    def get_projected_pattern_matrix(self, stored: Any, pattern_projection: Any = None, *,
                                     stored_pattern_padding_mask: Any = None,
                                     association_mask: Any = None) -> Any:
        """The projected patterns V, shape (..., num_heads, L, pattern_size)."""
        return self._associate(stored, pattern_projection, stored_pattern_padding_mask,
                               association_mask, False, None)[2]


class HopfieldLayer(_Base):
    __doc__ = """Hopfield layer with learned stored patterns: a learnable associative memory.

    ``out = Hopfield(stored=W_lookup, state=R, pattern_projection=W_target)`` with the
    learned ``lookup_weights`` (quantity stored patterns) and ``target_weights`` (their
    projections; the same array unless ``lookup_weights_as_separated``) (Ramsauer et al.
    2020, Sec. 3 "HopfieldLayer"). As in hflayers the learned patterns are projected by
    default; with ``stored_pattern_as_static`` and ``pattern_projection_as_static`` they
    live directly in the association space, ``softmax(beta R W_Q W_lookup^T) W_lookup W_O``.

    Parameters
    ----------
    input_size : int
        Feature size of the state patterns (the layer input).
    quantity : int
        Number of learned stored patterns, >= 1; keyword-only.
    stored_pattern_size : int, optional
        Size of the lookup weights: default ``hidden_size`` when static (shared by the heads,
        as hflayers), else ``input_size``.
    pattern_projection_size : int, optional
        Size of the target weights (default: that of the lookup weights).
    lookup_weights_as_separated : bool
        Learn separate ``target_weights`` (pattern projections).
    lookup_targets_as_trainable, trainable : bool
        Whether the torch module trains the target and the lookup weights (default True).
    hidden_size, output_size, pattern_size, *_as_static, pattern_projection_as_connected :
        As in :class:`Hopfield`.
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
        hidden_size: int | None = None,
        output_size: int | None = None,
        pattern_size: int | None = None,
        num_heads: int = 1,
        scaling: float | Sequence[float] | None = None,
        update_steps_max: int | Sequence[int | None] | None = 0,
        update_steps_eps: float | Sequence[float] = 1e-4,
        *,
        lookup_weights_as_separated: bool = False,
        lookup_targets_as_trainable: bool = True,
        normalize_stored_pattern: bool = True,
        normalize_stored_pattern_affine: bool = True,
        normalize_stored_pattern_eps: float = 1e-5,
        normalize_state_pattern: bool = True,
        normalize_state_pattern_affine: bool = True,
        normalize_state_pattern_eps: float = 1e-5,
        normalize_pattern_projection: bool = True,
        normalize_pattern_projection_affine: bool = True,
        normalize_pattern_projection_eps: float = 1e-5,
        normalize_hopfield_space: bool = False,
        normalize_hopfield_space_affine: bool = False,
        normalize_hopfield_space_eps: float = 1e-5,
        stored_pattern_as_static: bool = False,
        state_pattern_as_static: bool = False,
        pattern_projection_as_static: bool = False,
        pattern_projection_as_connected: bool = False,
        stored_pattern_size: int | None = None,
        pattern_projection_size: int | None = None,
        batch_first: bool = True,
        association_activation: str | None = None,
        dropout: float = 0.0,
        bias: bool = True,
        add_zero_association: bool = False,
        disable_out_projection: bool = False,
        quantity: int = 1,
        trainable: bool = True,
        seed: SeedLike = None,
        dtype: Any = np.float64,
        backend: str = "numpy",
    ) -> None:
        quantity = check_int("quantity", quantity, low=1)
        input_size = check_int("input_size", input_size, low=1)
        dtype = check_float_dtype(dtype)
        separated = check_bool("lookup_weights_as_separated", lookup_weights_as_separated)
        targets_trainable = check_bool("lookup_targets_as_trainable",
                                       lookup_targets_as_trainable)
        trainable = check_bool("trainable", trainable)
        stored_static = check_bool("stored_pattern_as_static", stored_pattern_as_static)
        if stored_pattern_size is None:
            if stored_static:
                all_static = _static_execution(
                    state_pattern_as_static is True, True, pattern_projection_as_static is True,
                    pattern_projection_as_connected is True, disable_out_projection is True,
                    normalize_hopfield_space is True)
                stored_pattern_size = _hidden(hidden_size, input_size, num_heads, all_static)
            else:
                stored_pattern_size = input_size
        if stored_pattern_size is not None:
            stored_pattern_size = check_int("stored_pattern_size", stored_pattern_size, low=1)
        if separated:
            if pattern_projection_size is None:
                pattern_projection_size = stored_pattern_size
        elif pattern_projection_size is None:
            pattern_projection_size = stored_pattern_size
        elif pattern_projection_size != stored_pattern_size:
            raise ValueError(
                f"pattern_projection_size must equal stored_pattern_size = "
                f"{stored_pattern_size} when lookup_weights_as_separated is False (the "
                f"lookup weights are the pattern projections; got {pattern_projection_size})"
            )
        cfg = make_config(
            input_size=input_size, hidden_size=hidden_size, output_size=output_size,
            pattern_size=pattern_size, num_heads=num_heads, scaling=scaling,
            update_steps_max=update_steps_max, update_steps_eps=update_steps_eps,
            normalize_stored_pattern=normalize_stored_pattern,
            normalize_stored_pattern_affine=normalize_stored_pattern_affine,
            normalize_stored_pattern_eps=normalize_stored_pattern_eps,
            normalize_state_pattern=normalize_state_pattern,
            normalize_state_pattern_affine=normalize_state_pattern_affine,
            normalize_state_pattern_eps=normalize_state_pattern_eps,
            normalize_pattern_projection=normalize_pattern_projection,
            normalize_pattern_projection_affine=normalize_pattern_projection_affine,
            normalize_pattern_projection_eps=normalize_pattern_projection_eps,
            normalize_hopfield_space=normalize_hopfield_space,
            normalize_hopfield_space_affine=normalize_hopfield_space_affine,
            normalize_hopfield_space_eps=normalize_hopfield_space_eps,
            stored_pattern_as_static=stored_static,
            state_pattern_as_static=state_pattern_as_static,
            pattern_projection_as_static=pattern_projection_as_static,
            pattern_projection_as_connected=pattern_projection_as_connected,
            stored_pattern_size=stored_pattern_size, state_pattern_size=input_size,
            pattern_projection_size=pattern_projection_size, batch_first=batch_first,
            association_activation=association_activation, dropout=dropout, bias=bias,
            add_zero_association=add_zero_association,
            disable_out_projection=disable_out_projection,
        )
        root = normalize_seed(seed)
        rng = stream_rng(root, "model", 2)
        extra = {"lookup_weights": _learned(rng, quantity, cfg.stored_size, dtype)}
        if separated:
            extra["target_weights"] = _learned(rng, quantity, cfg.projection_size, dtype)
        self._setup(cfg, root, dtype, backend, extra=extra)
        self.quantity = quantity
        self.separated = separated
        frozen = set() if trainable else {"lookup_weights"}
        if separated and not targets_trainable:
            frozen.add("target_weights")
        self.frozen = frozenset(frozen)

    def association(
        self,
        state: Any,
        *,
        stored_pattern_padding_mask: Any = None,
        association_mask: Any = None,
        training: bool = False,
        seed: SeedLike = None,
    ) -> tuple[Any, Any]:
        """Output (..., S, output_size) and association matrix (..., H, S, quantity)."""
        out, w, _ = self._associate(state, stored_pattern_padding_mask, association_mask,
                                    training, seed)
        return out, w

    def _associate(self, state: Any, padding: Any, assoc: Any, training: bool,
                   seed: SeedLike) -> tuple[Any, Any, Any]:
        xp = self._ns(state)
        state = _from_batch_first(self._as(state, xp), self.config.batch_first, xp)
        stored = self.params["lookup_weights"]
        proj = self.params.get("target_weights", stored)
        return self._run(xp, stored, state, proj, padding, assoc, training, seed)

    def __call__(
        self,
        state: Any,
        *,
        stored_pattern_padding_mask: Any = None,
        association_mask: Any = None,
        training: bool = False,
        seed: SeedLike = None,
    ) -> Any:
        """Associate ``state`` (..., S, input_size) with the learned patterns.

        Parameters
        ----------
        state : array, shape (..., S, input_size)
        stored_pattern_padding_mask : bool or floating array, shape (..., L), optional
            True (or -inf) removes a stored pattern; a floating mask is added to the logits.
        association_mask : bool or floating array, optional
            (S, L), (..., S, L), (..., num_heads, S, L) or (B * num_heads, S, L).
        training : bool
            Apply the association dropout (with ``seed``).
        seed : int, SeedSequence, Generator or None
            The dropout's randomness (training only).

        Returns
        -------
        array, shape (..., S, output_size)
        """
        return self._associate(state, stored_pattern_padding_mask, association_mask,
                               training, seed)[0]

    def get_association_matrix(self, state: Any, *, stored_pattern_padding_mask: Any = None,
                               association_mask: Any = None) -> Any:
        """The association matrix, shape (..., num_heads, S, quantity)."""
        return self._associate(state, stored_pattern_padding_mask, association_mask,
                               False, None)[1]

    def get_projected_pattern_matrix(self, state: Any, *,
                                     stored_pattern_padding_mask: Any = None,
                                     association_mask: Any = None) -> Any:
        """The projected patterns V, shape (..., num_heads, quantity, pattern_size)."""
        return self._associate(state, stored_pattern_padding_mask, association_mask,
                               False, None)[2]
