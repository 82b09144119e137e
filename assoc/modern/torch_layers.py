"""Hopfield layers as first-class ``torch.nn.Module`` s (needs PyTorch, an optional extra).

:class:`Hopfield`, :class:`HopfieldPooling` and :class:`HopfieldLayer` take the arguments of
the NumPy specification (:mod:`assoc.modern.layers`, hflayers' names and defaults) plus
``dtype`` and ``device``, hold their weights as ``torch.nn.Parameter`` s of the same names
and shapes (``W_Q`` (in, out), ...), and follow hflayers' calling convention::

    module(input, stored_pattern_padding_mask=None, association_mask=None)

with ``input`` one tensor (stored = state = projection) or a tuple (stored, state,
projection) for :class:`Hopfield`, (stored, projection) for :class:`HopfieldPooling` (whose
output is flattened to (batch, quantity * output_size), as hflayers'), and the state for
:class:`HopfieldLayer`; ``get_association_matrix`` and ``get_projected_pattern_matrix`` as
in hflayers, ``association`` for the output and the matrix with gradients. The association
dropout follows ``module.train()`` / ``module.eval()``.

The arithmetic is that of :func:`assoc.modern.layers.hopfield_forward` (the tests compare
the two to 1e-12 in float64), arranged for speed: the layer normalisations' affine maps and
the scaling are folded into the projection weights (so a normalised input that needs no
gradient is not differentiated), the projections of one input are one matrix product,
learned patterns are projected once per call rather than once per batch entry, and an
association whose weights are not needed (no update step left, no dropout) runs as
``torch.nn.functional.scaled_dot_product_attention``.

Examples
--------
>>> import torch                                              # doctest: +SKIP
>>> from assoc.modern.torch_layers import Hopfield            # doctest: +SKIP
>>> layer = Hopfield(input_size=8, num_heads=2, seed=0)       # doctest: +SKIP
>>> layer(torch.randn(3, 5, 8)).shape                         # doctest: +SKIP
torch.Size([3, 5, 8])
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

try:
    import torch
    import torch.nn.functional as F
    from torch import nn
except ImportError as exc:  # pragma: no cover - exercised without torch
    raise ImportError(
        "assoc.modern.torch_layers needs PyTorch, which is optional: pip install torch "
        "(or pip install assoc-memory[torch])"
    ) from exc

from ..errors import NotConvergedError
from ..seeding import SeedLike
from . import layers as spec
from .layer_config import HopfieldConfig
from .layers import MAX_UNBOUNDED_STEPS, _check_input, _check_masks, mask_layout

__all__ = ["Hopfield", "HopfieldPooling", "HopfieldLayer", "from_layer", "to_layer"]

_NUMPY_DTYPES = {torch.float16: np.float16, torch.float32: np.float32,
                 torch.float64: np.float64}


def _torch_dtype(dtype: Any) -> torch.dtype:
    if dtype is None:
        return torch.get_default_dtype()
    if isinstance(dtype, torch.dtype):
        if not dtype.is_floating_point:
            raise ValueError(f"dtype must be a floating dtype (got {dtype})")
        return dtype
    return getattr(torch, np.dtype(dtype).name)


def _activation(name: str | None) -> Any:
    if name is None:
        return None
    if name == "square":
        return torch.square
    return getattr(torch, name)


class _HopfieldModule(nn.Module):
    """Parameters, configuration and the association of the three layers."""

    config: HopfieldConfig
    _spec_class: type = spec.Hopfield

    def _build(self, args: tuple, options: dict[str, Any]) -> None:
        """Build the NumPy specification layer of ``args`` and ``options`` (``dtype``,
        ``device`` and ``seed`` among them) and load it (:meth:`_load`)."""
        dtype, device, seed, options = _split_kwargs(options)
        tdtype = _torch_dtype(dtype)
        layer = self._spec_class(*args, seed=seed, dtype=_NUMPY_DTYPES.get(tdtype, np.float64),
                                 **options)
        self._load(layer, tdtype, device)

    def _load(self, layer: spec._Base, dtype: Any = None, device: Any = None) -> None:
        """Take the configuration and a copy of the parameters of the NumPy ``layer``."""
        if dtype is None:
            dtype = getattr(torch, np.dtype(layer.dtype).name)
        dtype = _torch_dtype(dtype)
        self.config = layer.config
        self._template = copy.copy(layer)
        self._template.params = {}
        self.quantity = getattr(layer, "quantity", None)
        for name, value in layer.params.items():
            t = torch.as_tensor(np.asarray(spec.to_numpy(value)).copy(), dtype=dtype,
                                device=device)
            self.register_parameter(name, nn.Parameter(t, requires_grad=name not in
                                                       layer.frozen))
        # dtype and device of a module without parameters (all static)
        self.register_buffer("_ref", torch.empty(0, dtype=dtype, device=device),
                             persistent=False)
        c = self.config
        self._beta_uniform = c.uniform_scaling
        self._act = _activation(c.association_activation)

    # -- helpers ------------------------------------------------------------------------
    def _p(self, name: str) -> Any:
        return self._parameters.get(name)

    def _tensor(self, x: Any) -> torch.Tensor:
        ref = self._ref
        if isinstance(x, torch.Tensor):
            if x.dtype != ref.dtype or x.device != ref.device:
                x = x.to(dtype=ref.dtype, device=ref.device)
            return x
        return torch.as_tensor(np.asarray(x), dtype=ref.dtype, device=ref.device)

    def _mask(self, name: str, m: Any) -> torch.Tensor | None:
        if m is None:
            return None
        if not isinstance(m, torch.Tensor):
            m = torch.as_tensor(np.asarray(m), device=self._ref.device)
        if m.dtype == torch.uint8:  # hflayers' deprecated byte masks
            m = m.to(torch.bool)
        if m.dtype != torch.bool and not m.dtype.is_floating_point:
            raise TypeError(f"{name} must be boolean (True removes an association) or "
                            f"floating (added to the logits) (got dtype {m.dtype})")
        m = m.to(device=self._ref.device)
        if m.dtype != torch.bool:
            m = m.to(self._ref.dtype)
            if bool((torch.isnan(m) | (m == float("inf"))).any()):
                raise ValueError(f"{name} must hold values < inf, not NaN (a floating mask is "
                                 f"added to the logits; -inf removes an association)")
        return m

    def _beta(self) -> Any:
        c = self.config
        if self._beta_uniform:
            return c.scaling[0]
        return torch.tensor(c.scaling, dtype=self._ref.dtype,
                            device=self._ref.device).view(-1, 1, 1)

    def _xhat(self, x: torch.Tensor, which: str) -> torch.Tensor:
        """``x`` layer-normalised without its affine map (``x`` without normalisation)."""
        c = self.config
        if not getattr(c, f"normalize_{which}"):
            return x
        return F.layer_norm(x, (x.shape[-1],), None, None, getattr(c, f"normalize_{which}_eps"))

    def _norm_key(self, which: str) -> Any:
        c = self.config
        return getattr(c, f"normalize_{which}") and getattr(c, f"normalize_{which}_eps")

    def _folded(self, key: str, which: str, col_scale: Any = None
                ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """W and b with ``(xh * w_ln + b_ln) @ W_key + b_key = xh @ W + b`` (times
        ``col_scale``), ``xh`` the input of normalisation ``which`` without affine map."""
        W, b = self._p(f"W_{key}"), self._p(f"b_{key}")
        w_ln, b_ln = self._p(f"ln_{which}_weight"), self._p(f"ln_{which}_bias")
        if b_ln is not None:
            shift = b_ln @ W
            b = shift if b is None else b + shift
        if w_ln is not None:
            W = w_ln[:, None] * W
        if col_scale is not None:
            W = W * col_scale
            if b is not None:
                b = b * col_scale
        return W, b

    @staticmethod
    def _linear(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor | None) -> torch.Tensor:
        """``x @ W + b`` as one fused product where the batch axes flatten without a copy."""
        if b is None:
            return torch.matmul(x, W)
        if x.dim() == 2:
            return torch.addmm(b, x, W)
        if x.is_contiguous():
            return torch.addmm(b, x.reshape(-1, x.shape[-1]), W).view(*x.shape[:-1], -1)
        return torch.matmul(x, W) + b

    def _heads(self, y: torch.Tensor, shared: bool) -> torch.Tensor:
        H = self.config.num_heads
        if shared:
            y = y.unsqueeze(-3)
            return y.expand(*y.shape[:-3], H, *y.shape[-2:])
        return y.unflatten(-1, (H, y.shape[-1] // H)).transpose(-2, -3)

    def _state_scale(self) -> Any:
        """Column scaling that folds beta into W_Q (None where beta is applied later)."""
        c = self.config
        if c.state_static or c.normalize_hopfield_space:
            return None
        if self._beta_uniform:
            return c.scaling[0]
        return torch.tensor(c.scaling, dtype=self._ref.dtype,
                            device=self._ref.device).repeat_interleave(c.hidden_size)

    def _qkv(self, stored: torch.Tensor, state: torch.Tensor, proj: torch.Tensor
             ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Projected q (beta-scaled), k, v of shapes (..., H, n, d)."""
        c = self.config
        sq = self._state_scale()
        through_k = c.projection_connected and not c.stored_static
        jobs = {"q": (state, "state", not c.state_static),
                "k": (stored, "stored", not c.stored_static),
                "v": (proj, "projection", not c.projection_static or through_k)}

        def weights(name: str) -> tuple[torch.Tensor, torch.Tensor | None]:
            which = jobs[name][1]
            if name == "q":
                return self._folded("Q", which, sq)
            if name == "v" and through_k:  # V = ((x W_K + b_K) W_V + b_V)
                WK, bK = self._folded("K", which)
                if c.projection_static:
                    return WK, bK
                WV, bV = self._p("W_V"), self._p("b_V")
                b = None if bK is None else bK @ WV
                b = bV if b is None else (b if bV is None else b + bV)
                return WK @ WV, b
            return self._folded(name.upper(), which)

        out: dict[str, torch.Tensor] = {}
        groups: list[list[str]] = []  # projections of one tensor with one normalisation
        for name, (x, which, projected) in jobs.items():
            if not projected:
                w, b = self._p(f"ln_{which}_weight"), self._p(f"ln_{which}_bias")
                out[name] = F.layer_norm(x, (x.shape[-1],), w, b,
                                         getattr(c, f"normalize_{which}_eps")) \
                    if getattr(c, f"normalize_{which}") else x
                continue
            for g in groups:
                x0, which0, _ = jobs[g[0]]
                if x0 is x and self._norm_key(which0) == self._norm_key(which):
                    g.append(name)
                    break
            else:
                groups.append([name])
        for g in groups:
            x, which, _ = jobs[g[0]]
            xh = self._xhat(x, which)
            if len(g) == 1:
                out[g[0]] = self._linear(xh, *weights(g[0]))
                continue
            Ws, bs = zip(*(weights(name) for name in g), strict=True)
            b = None
            if any(bi is not None for bi in bs):
                b = torch.cat([bi if bi is not None else W.new_zeros(W.shape[1])
                               for W, bi in zip(Ws, bs, strict=True)])
            y = self._linear(xh, torch.cat(Ws, 1), b)
            for name, part in zip(g, y.split([W.shape[1] for W in Ws], -1), strict=True):
                out[name] = part
        q = self._heads(out["q"], c.state_static and c.shared("state"))
        k = self._heads(out["k"], c.stored_static and c.shared("stored"))
        v = self._heads(out["v"], c.projection_static and c.shared("projection"))
        if c.normalize_hopfield_space:
            w, b = self._p("ln_hopfield_weight"), self._p("ln_hopfield_bias")
            eps = c.normalize_hopfield_space_eps
            q = F.layer_norm(q, (c.hidden_size,), w, b, eps)
            k = F.layer_norm(k, (c.hidden_size,), w, b, eps)
        if sq is None:
            q = q * self._beta()
        if c.add_zero_association:
            k = torch.cat([k, k.new_zeros(*k.shape[:-2], 1, k.shape[-1])], -2)
            v = torch.cat([v, v.new_zeros(*v.shape[:-2], 1, v.shape[-1])], -2)
        return q, k, v

    def _bias(self, batch: tuple[int, ...], padding: Any, assoc: Any
              ) -> torch.Tensor | None:
        """The masks as one additive tensor broadcasting against (..., H, S, L)."""
        c = self.config
        bias = None

        def additive(m: torch.Tensor) -> torch.Tensor:
            if m.dtype == torch.bool:
                return torch.zeros(m.shape, dtype=self._ref.dtype,
                                   device=m.device).masked_fill_(m, float("-inf"))
            return m

        if padding is not None:
            bias = additive(padding)[..., None, None, :]
        if assoc is not None:
            a = additive(assoc)
            layout = mask_layout(tuple(assoc.shape), batch, c.num_heads)
            if layout == "hflayers":
                a = a.view(batch[0], c.num_heads, *a.shape[-2:])
            elif layout == "shared":
                a = a.unsqueeze(-3)
            bias = a if bias is None else bias + a
        if bias is not None and c.add_zero_association:
            bias = F.pad(bias, (0, 1))
        return bias

    # -- the association ----------------------------------------------------------------
    def _associate(self, stored: torch.Tensor, state: torch.Tensor, proj: torch.Tensor,
                   padding: Any, assoc: Any, need_weights: bool = False
                   ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
        c = self.config
        if not c.batch_first:
            stored, state, proj = (x.movedim(0, -2) if x.dim() >= 3 else x
                                   for x in (stored, state, proj))
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
        padding = self._mask("stored_pattern_padding_mask", padding)
        assoc = self._mask("association_mask", assoc)
        _check_masks(stored, state, padding, assoc, c.num_heads)
        q, k, v = self._qkv(stored, state, proj)
        batch = tuple(torch.broadcast_shapes(q.shape[:-3], k.shape[:-3]))
        bias = self._bias(batch, padding, assoc)
        dead = None
        if bias is not None:
            with torch.no_grad():
                d = torch.isneginf(bias).all(-1, keepdim=True)
                dead = d if bool(d.any()) else None
        dropout = c.dropout if self.training else 0.0
        steps, eps = c.update_steps_max, c.update_steps_eps
        H = c.num_heads
        fast = not need_weights and dead is None and dropout == 0.0

        if fast and all(s == 0 for s in steps):
            if len(batch) > 0 and (q.shape[:-3] != batch or k.shape[:-3] != batch):
                q = q.expand(*batch, *q.shape[-3:])
                k = k.expand(*batch, *k.shape[-3:])
                v = v.expand(*batch, *v.shape[-3:])
            z = F.scaled_dot_product_attention(q, k, v, attn_mask=bias, scale=1.0)
            return self._output(z), None, v.expand(*batch, *v.shape[-3:])
        kt = k.transpose(-1, -2)
        a = self._softmax(torch.matmul(q, kt), bias, dead)
        active = [s is None or s > 0 for s in steps]
        beta = self._beta()
        t = 0
        while any(active):
            if t >= MAX_UNBOUNDED_STEPS:
                raise NotConvergedError(
                    f"update_steps_max=None: heads {[h for h in range(H) if active[h]]} did "
                    f"not converge to update_steps_eps={eps} in {t} update steps", n_iter=t)
            xi = torch.matmul(a, k) * beta  # the new state, Eq. (3)
            t += 1
            last = all(not act or (s is not None and t >= s)
                       for act, s in zip(active, steps, strict=True))
            if fast and last and all(active):
                if len(batch) > 0 and k.shape[:-3] != batch:
                    k = k.expand(*batch, *k.shape[-3:])
                    v = v.expand(*batch, *v.shape[-3:])
                z = F.scaled_dot_product_attention(xi, k, v, attn_mask=bias, scale=1.0)
                return self._output(z), None, v.expand(*batch, *v.shape[-3:])
            new = self._softmax(torch.matmul(xi, kt), bias, dead)
            if not all(active):
                on = torch.tensor(active, device=a.device).view(-1, 1, 1)
                new = torch.where(on, new, a)
            if last:
                a = new
                break
            with torch.no_grad():
                change = torch.linalg.vector_norm(new - a, dim=(-2, -1)).reshape(-1, H)
                change = change.amax(0).tolist() if change.shape[0] else [0.0] * H
            a = new
            active = [bool(act and (s is None or t < s) and ch > e) for act, s, e, ch
                      in zip(active, steps, eps, change, strict=True)]
        weights = a
        if dropout > 0.0:
            a = F.dropout(a, dropout, True)
        return self._output(torch.matmul(a, v)), weights, v.expand(*batch, *v.shape[-3:])

    @staticmethod
    def _softmax(s: torch.Tensor, bias: Any, dead: Any) -> torch.Tensor:
        if bias is not None:
            s = s + bias
        if dead is None:
            return torch.softmax(s, -1)
        s = s.masked_fill(dead, 0.0)
        return torch.softmax(s, -1).masked_fill(dead, 0.0)

    def _output(self, z: torch.Tensor) -> torch.Tensor:
        c = self.config
        z = z.transpose(-2, -3).flatten(-2)
        if c.out_projection:
            z = self._linear(z, self._p("W_O"), self._p("b_O"))
        if self._act is not None:
            z = self._act(z)
        if not c.batch_first and z.dim() >= 3:
            z = z.movedim(-2, 0)
        return z

    # -- the public face ----------------------------------------------------------------
    def _inputs(self, input: Any) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        raise NotImplementedError

    def association(self, input: Any, stored_pattern_padding_mask: Any = None,
                    association_mask: Any = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Output (unflattened) and association matrix (..., num_heads, S, L), with
        gradients; the matrix is taken before dropout."""
        out, w, _ = self._associate(*self._inputs(input), stored_pattern_padding_mask,
                                    association_mask, need_weights=True)
        assert w is not None
        return out, w

    def get_association_matrix(self, input: Any, stored_pattern_padding_mask: Any = None,
                               association_mask: Any = None) -> torch.Tensor:
        """The association matrix, (..., num_heads, S, L), without gradients (hflayers)."""
        with torch.no_grad():
            return self.association(input, stored_pattern_padding_mask, association_mask)[1]

    def get_projected_pattern_matrix(self, input: Any, stored_pattern_padding_mask: Any = None,
                                     association_mask: Any = None) -> torch.Tensor:
        """The projected patterns V, (..., num_heads, L, pattern_size), without gradients."""
        with torch.no_grad():
            return self._associate(*self._inputs(input), stored_pattern_padding_mask,
                                   association_mask, need_weights=True)[2]

    def to_layer(self) -> spec._Base:
        """The NumPy layer (specification) with this module's current parameters."""
        return to_layer(self)

    def extra_repr(self) -> str:
        return repr(self._template)


def _split_kwargs(kwargs: dict[str, Any]) -> tuple[Any, Any, SeedLike, dict[str, Any]]:
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    seed = kwargs.pop("seed", None)
    if "backend" in kwargs:
        raise TypeError("the torch modules take device=, not backend=")
    return dtype, device, seed, kwargs


class Hopfield(_HopfieldModule):
    """``torch.nn.Module`` of :class:`assoc.modern.layers.Hopfield` (hflayers' ``Hopfield``).

    Parameters
    ----------
    input_size, hidden_size, output_size, pattern_size, num_heads, scaling,
    update_steps_max, update_steps_eps :
        As in :class:`assoc.modern.layers.Hopfield`.
    **options :
        Its keyword options (normalisations, static and connected patterns, batch_first,
        association_activation, dropout, bias, add_zero_association,
        disable_out_projection, sizes), ``seed`` (the initial parameters, the same as the
        NumPy layer's of that seed), ``dtype`` (default torch's default dtype) and
        ``device``.

    Notes
    -----
    ``forward(input, stored_pattern_padding_mask=None, association_mask=None)``: ``input``
    is one tensor (self-association) or a tuple (stored, state, pattern_projection) of
    shapes (..., L, stored_size), (..., S, state_size), (..., L, projection_size)
    (length-first when not batch_first); returns (..., S, output_size).
    """

    _spec_class = spec.Hopfield

    def __init__(self, input_size: int | None = None, hidden_size: int | None = None,
                 output_size: int | None = None, pattern_size: int | None = None,
                 num_heads: int = 1, scaling: Any = None, update_steps_max: Any = 0,
                 update_steps_eps: Any = 1e-4, **options: Any) -> None:
        super().__init__()
        self._build((input_size, hidden_size, output_size, pattern_size, num_heads, scaling,
                     update_steps_max, update_steps_eps), options)

    def _inputs(self, input: Any) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        if isinstance(input, (tuple, list)):
            if len(input) != 3:
                raise TypeError("input must be one tensor or a tuple (stored, state, "
                                f"pattern_projection) (got a sequence of {len(input)})")
            return tuple(self._tensor(x) for x in input)  # type: ignore[return-value]
        x = self._tensor(input)
        return x, x, x

    def forward(self, input: Any, stored_pattern_padding_mask: Any = None,
                association_mask: Any = None) -> torch.Tensor:
        """The association's output, (..., S, output_size)."""
        return self._associate(*self._inputs(input), stored_pattern_padding_mask,
                               association_mask)[0]

    @property
    def batch_first(self) -> bool:
        return self.config.batch_first


class HopfieldPooling(_HopfieldModule):
    """``torch.nn.Module`` of :class:`assoc.modern.layers.HopfieldPooling` (hflayers').

    Parameters as :class:`Hopfield` plus ``quantity`` and ``trainable`` (keyword-only).
    ``forward(input, ...)``: ``input`` is the stored patterns, or a tuple (stored,
    pattern_projection); the output is flattened as hflayers': ``(batch, quantity *
    output_size)`` (use :meth:`association` for (..., quantity, output_size)).
    """

    _spec_class = spec.HopfieldPooling

    def __init__(self, input_size: int, hidden_size: int | None = None,
                 output_size: int | None = None, pattern_size: int | None = None,
                 num_heads: int = 1, scaling: Any = None, update_steps_max: Any = 0,
                 update_steps_eps: Any = 1e-4, **options: Any) -> None:
        super().__init__()
        self._build((input_size, hidden_size, output_size, pattern_size, num_heads, scaling,
                     update_steps_max, update_steps_eps), options)

    def _inputs(self, input: Any) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        if isinstance(input, (tuple, list)):
            if len(input) != 2:
                raise TypeError("input must be one tensor or a tuple (stored, "
                                f"pattern_projection) (got a sequence of {len(input)})")
            stored, proj = (self._tensor(x) for x in input)
        else:
            stored = proj = self._tensor(input)
        return stored, self._parameters["pooling_weights"], proj

    def forward(self, input: Any, stored_pattern_padding_mask: Any = None,
                association_mask: Any = None) -> torch.Tensor:
        """Pooled patterns, flattened as hflayers: (batch, quantity * output_size)."""
        out = self._associate(*self._inputs(input), stored_pattern_padding_mask,
                              association_mask)[0]
        if out.dim() < 3:
            return out.flatten(-2)
        return out.flatten(-2) if self.config.batch_first else out.flatten(1)

    @property
    def batch_first(self) -> bool:
        return self.config.batch_first


class HopfieldLayer(_HopfieldModule):
    """``torch.nn.Module`` of :class:`assoc.modern.layers.HopfieldLayer` (hflayers').

    Parameters as :class:`Hopfield` plus ``quantity``, ``lookup_weights_as_separated``,
    ``lookup_targets_as_trainable`` and ``trainable`` (keyword-only). ``forward(input,
    ...)``: ``input`` is the state patterns (..., S, input_size). The learned patterns are
    normalised and projected once per call, not once per batch entry as in hflayers.
    """

    _spec_class = spec.HopfieldLayer

    def __init__(self, input_size: int, hidden_size: int | None = None,
                 output_size: int | None = None, pattern_size: int | None = None,
                 num_heads: int = 1, scaling: Any = None, update_steps_max: Any = 0,
                 update_steps_eps: Any = 1e-4, **options: Any) -> None:
        super().__init__()
        self._build((input_size, hidden_size, output_size, pattern_size, num_heads, scaling,
                     update_steps_max, update_steps_eps), options)

    def _inputs(self, input: Any) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        if isinstance(input, (tuple, list)):
            raise TypeError("input must be the state patterns, one tensor")
        stored = self._parameters["lookup_weights"]
        proj = self._parameters.get("target_weights")
        return stored, self._tensor(input), stored if proj is None else proj

    def forward(self, input: Any, stored_pattern_padding_mask: Any = None,
                association_mask: Any = None) -> torch.Tensor:
        """The association's output, (..., S, output_size)."""
        return self._associate(*self._inputs(input), stored_pattern_padding_mask,
                               association_mask)[0]

    @property
    def batch_first(self) -> bool:
        return self.config.batch_first


_MODULES = {spec.Hopfield: Hopfield, spec.HopfieldPooling: HopfieldPooling,
            spec.HopfieldLayer: HopfieldLayer}


def from_layer(layer: spec._Base, *, dtype: Any = None, device: Any = None
               ) -> _HopfieldModule:
    """The torch module of a NumPy layer, with a copy of its parameters (default: its dtype)."""
    cls = _MODULES.get(type(layer))
    if cls is None:
        raise TypeError(
            f"layer must be a Hopfield, HopfieldPooling or HopfieldLayer (got {type(layer)})")
    module = cls.__new__(cls)
    nn.Module.__init__(module)
    module._load(layer, dtype, device)
    return module


def to_layer(module: _HopfieldModule) -> spec._Base:
    """The NumPy layer with a copy of the module's current parameters (its dtype)."""
    layer = copy.copy(module._template)
    dtype = _NUMPY_DTYPES.get(module._ref.dtype, np.float64)
    layer.dtype = np.dtype(dtype)
    layer.params = {k: np.asarray(v.detach().cpu().numpy(), dtype=dtype).copy()
                    for k, v in module._parameters.items() if v is not None}
    return layer
