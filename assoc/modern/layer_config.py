"""Configuration of the Hopfield layers: sizes, switches, their validation and defaults.

:class:`HopfieldConfig` is the frozen specification of one Hopfield association (no
arrays); :func:`make_config` validates the keyword arguments of the layer classes
(:mod:`assoc.modern.layers`, :mod:`assoc.modern.torch_layers`) and fills the defaults of
ml-jku/hopfield-layers ("hflayers", Ramsauer et al. 2020): ``hidden_size = input_size //
num_heads``, ``pattern_size = hidden_size``, ``output_size = input_size``, the stored pattern
and pattern projection sizes ``input_size``, ``scaling = 1 / sqrt(hidden_size)`` except in a
purely static association (no projection, no out projection, no Hopfield-space
normalisation: ``scaling = 1``), ``update_steps_eps = 1e-4`` and layer-norm ``eps = 1e-5``.
:func:`init_params` draws the parameters of a configuration (NumPy, seeded) and
:data:`ACTIVATIONS` names the element-wise activations a layer may apply.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..validation import brief, check_bool, check_int, check_scalar

__all__ = ["HopfieldConfig", "make_config", "init_params", "ACTIVATIONS", "activation",
           "check_activation", "check_dropout"]

#: The ``association_activation`` and encoder/decoder ``activation`` names: functions of
#: the ``torch`` namespace that hflayers looks up with ``getattr(torch, name)``.
ACTIVATIONS = ("relu", "tanh", "sigmoid", "selu", "abs", "exp", "square", "sin", "cos")

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def activation(name: str, xp: Any) -> Callable[[Any], Any]:
    """The element-wise function ``name`` (one of :data:`ACTIVATIONS`) for the module ``xp``."""
    if name == "relu":
        return lambda x: xp.maximum(x, 0)
    if name == "sigmoid":
        return lambda x: 0.5 * (1.0 + xp.tanh(0.5 * x))
    if name == "selu":
        return lambda x: _SELU_SCALE * xp.where(
            x > 0, x, _SELU_ALPHA * xp.expm1(xp.minimum(x, 0)))
    if name == "square":
        return lambda x: x * x
    return getattr(xp, name)  # tanh, abs, exp, sin, cos


def check_activation(name: str, value: Any, optional: bool = True) -> str | None:
    """``value`` if it names an activation of :data:`ACTIVATIONS` (or is None when optional)."""
    if value is None and optional:
        return None
    if not isinstance(value, str) or value not in ACTIVATIONS:
        raise ValueError(f"{name} must be {'None or ' if optional else ''}one of "
                         f"{', '.join(map(repr, ACTIVATIONS))} (got {brief(value)})")
    return value


def check_dropout(name: str, value: Any) -> float:
    """A dropout probability in [0, 1)."""
    return check_scalar(name, value, low=0.0, high=1.0, high_open=True)


@dataclass(frozen=True)
class HopfieldConfig:
    """Specification of a Hopfield association (sizes and switches; no parameters).

    Attributes
    ----------
    state_size, stored_size, projection_size : int
        Feature sizes of the state patterns, stored patterns and pattern projections.
    hidden_size : int
        Association (Hopfield) space size per head, ``d_k``.
    pattern_size : int
        Value size per head, ``d_v``.
    output_size : int
        Output feature size (``num_heads * pattern_size`` without out projection).
    num_heads : int
    scaling : tuple of float
        ``beta`` of each head.
    update_steps_max : tuple of int or None
        Hopfield updates of each head's state before the final association; None: until the
        head has converged.
    update_steps_eps : tuple of float
        A head stops once the norm of the change of its association matrix is
        ``<= update_steps_eps`` (see :func:`assoc.modern.layers.hopfield_forward`).
    normalize_state, normalize_stored, normalize_projection, normalize_hopfield_space : bool
        Layer normalisation of the inputs (over their feature axis) and of the projected
        state and stored patterns in the association space (over ``hidden_size``).
    normalize_state_affine, normalize_stored_affine, normalize_projection_affine,
    normalize_hopfield_space_affine : bool
        Learned scale and shift of each normalisation.
    normalize_state_eps, normalize_stored_eps, normalize_projection_eps,
    normalize_hopfield_space_eps : float
    state_static, stored_static, projection_static : bool
        Skip the projection ``W_Q``, ``W_K`` or ``W_V``: the input is used as it is, shared
        by all heads when its size is the per-head size, one slice per head when it is
        ``num_heads`` times that.
    projection_connected : bool
        Pass the pattern projections through the stored patterns' projection ``W_K`` first.
    out_projection, bias : bool
    batch_first : bool
        Inputs are (batch, length, features); False: (length, batch, features).
    association_activation : str or None
        Element-wise function applied to the output.
    dropout : float
        Dropout probability of the association matrix (training only).
    add_zero_association : bool
        Append a zero stored pattern and a zero pattern projection.
    """

    state_size: int
    stored_size: int
    projection_size: int
    hidden_size: int
    pattern_size: int
    output_size: int
    num_heads: int = 1
    scaling: tuple[float, ...] = (1.0,)
    update_steps_max: tuple[int | None, ...] = (0,)
    update_steps_eps: tuple[float, ...] = (1e-4,)
    normalize_state: bool = True
    normalize_stored: bool = True
    normalize_projection: bool = True
    normalize_hopfield_space: bool = False
    normalize_state_affine: bool = True
    normalize_stored_affine: bool = True
    normalize_projection_affine: bool = True
    normalize_hopfield_space_affine: bool = False
    normalize_state_eps: float = 1e-5
    normalize_stored_eps: float = 1e-5
    normalize_projection_eps: float = 1e-5
    normalize_hopfield_space_eps: float = 1e-5
    state_static: bool = False
    stored_static: bool = False
    projection_static: bool = False
    projection_connected: bool = False
    out_projection: bool = True
    bias: bool = True
    batch_first: bool = True
    association_activation: str | None = None
    dropout: float = 0.0
    add_zero_association: bool = False

    @property
    def value_input_size(self) -> int:
        """Input size of ``W_V``: ``num_heads * hidden_size`` when connected through W_K."""
        if self.projection_connected and not self.stored_static:
            return self.num_heads * self.hidden_size
        return self.projection_size

    def shared(self, which: str) -> bool:
        """Whether the static input ``which`` ('state', 'stored', 'projection') is shared by
        all heads (its size is the per-head size) rather than split into one slice per head."""
        if which == "projection":
            if self.projection_connected and not self.stored_static:
                return False  # already in the association space, H * hidden_size
            return self.projection_size == self.pattern_size
        size = self.state_size if which == "state" else self.stored_size
        return size == self.hidden_size

    @property
    def uniform_scaling(self) -> bool:
        return len(set(self.scaling)) == 1


def _per_head(name: str, value: Any, H: int, check: Callable[[str, Any], Any]) -> tuple:
    """One valid value per head from a scalar or a sequence of ``H`` values."""
    if isinstance(value, (list, tuple)) or (isinstance(value, np.ndarray) and value.ndim > 0):
        items = list(np.asarray(value).tolist()) if isinstance(value, np.ndarray) else list(value)
        if len(items) != H:
            raise ValueError(
                f"{name} must be a single number or a sequence of one per head (num_heads="
                f"{H} values; got {len(items)}: {brief(value)})"
            )
        return tuple(check(f"{name}[{h}]", v) for h, v in enumerate(items))
    if hasattr(value, "detach") and hasattr(value, "tolist"):  # a torch tensor (hflayers)
        return _per_head(name, list(value.detach().cpu().reshape(-1).tolist()), H, check)
    return (check(name, value),) * H


def _steps(name: str, value: Any) -> int | None:
    if value is None:
        return None
    return check_int(name, value, low=0)


def _sizes(name: str, value: Any, default: int | None, what: str) -> int:
    v = value if value is not None else default
    if v is None:
        raise ValueError(f"input_size must be an integer >= 1 when {name} is not given "
                         f"(got input_size=None and {name}=None): the size of the {what}")
    return check_int(name, v, low=1)


def make_config(
    *,
    input_size: int | None,
    hidden_size: int | None,
    output_size: int | None,
    pattern_size: int | None,
    num_heads: int,
    scaling: Any,
    update_steps_max: Any,
    update_steps_eps: Any,
    normalize_stored_pattern: bool,
    normalize_stored_pattern_affine: bool,
    normalize_stored_pattern_eps: float,
    normalize_state_pattern: bool,
    normalize_state_pattern_affine: bool,
    normalize_state_pattern_eps: float,
    normalize_pattern_projection: bool,
    normalize_pattern_projection_affine: bool,
    normalize_pattern_projection_eps: float,
    normalize_hopfield_space: bool,
    normalize_hopfield_space_affine: bool,
    normalize_hopfield_space_eps: float,
    stored_pattern_as_static: bool,
    state_pattern_as_static: bool,
    pattern_projection_as_static: bool,
    pattern_projection_as_connected: bool,
    stored_pattern_size: int | None,
    state_pattern_size: int | None,
    pattern_projection_size: int | None,
    batch_first: bool,
    association_activation: str | None,
    dropout: float,
    bias: bool,
    add_zero_association: bool,
    disable_out_projection: bool,
) -> HopfieldConfig:
    """Validate the arguments of a Hopfield layer and fill the hflayers defaults.

    Raises
    ------
    ValueError, TypeError
        Naming the parameter and its valid range.
    """
    flags = {name: check_bool(name, value) for name, value in (
        ("normalize_stored_pattern", normalize_stored_pattern),
        ("normalize_stored_pattern_affine", normalize_stored_pattern_affine),
        ("normalize_state_pattern", normalize_state_pattern),
        ("normalize_state_pattern_affine", normalize_state_pattern_affine),
        ("normalize_pattern_projection", normalize_pattern_projection),
        ("normalize_pattern_projection_affine", normalize_pattern_projection_affine),
        ("normalize_hopfield_space", normalize_hopfield_space),
        ("normalize_hopfield_space_affine", normalize_hopfield_space_affine),
        ("stored_pattern_as_static", stored_pattern_as_static),
        ("state_pattern_as_static", state_pattern_as_static),
        ("pattern_projection_as_static", pattern_projection_as_static),
        ("pattern_projection_as_connected", pattern_projection_as_connected),
        ("batch_first", batch_first),
        ("bias", bias),
        ("add_zero_association", add_zero_association),
        ("disable_out_projection", disable_out_projection),
    )}
    eps = {name: check_scalar(name, value, low=0.0, low_open=True) for name, value in (
        ("normalize_stored_pattern_eps", normalize_stored_pattern_eps),
        ("normalize_state_pattern_eps", normalize_state_pattern_eps),
        ("normalize_pattern_projection_eps", normalize_pattern_projection_eps),
        ("normalize_hopfield_space_eps", normalize_hopfield_space_eps),
    )}
    if input_size is not None:
        input_size = check_int("input_size", input_size, low=1)
    H = check_int("num_heads", num_heads, low=1)
    d_state = _sizes("state_pattern_size", state_pattern_size, input_size, "state patterns")
    d_stored = _sizes("stored_pattern_size", stored_pattern_size, input_size,
                      "stored patterns")
    d_proj = _sizes("pattern_projection_size", pattern_projection_size,
                    input_size if input_size is not None else d_stored, "pattern projections")
    static = (flags["state_pattern_as_static"], flags["stored_pattern_as_static"],
              flags["pattern_projection_as_static"])
    connected = flags["pattern_projection_as_connected"]
    # hflayers' "static execution": nothing is projected, heads share the inputs as they are
    all_static = all(static) and not connected and flags["disable_out_projection"] \
        and not flags["normalize_hopfield_space"]
    if hidden_size is None:
        if all_static:
            hidden_size = d_state
        elif d_state % H:
            raise ValueError(
                f"hidden_size (per head) must be given when the state size {d_state} is not "
                f"divisible by num_heads={H}"
            )
        else:
            hidden_size = d_state // H
    dk = check_int("hidden_size", hidden_size, low=1)
    if pattern_size is None:
        pattern_size = d_proj if all_static else dk
    dv = check_int("pattern_size", pattern_size, low=1)
    through_k = connected and not static[1]  # the projections pass through W_K
    if through_k:
        if d_proj != d_stored:
            raise ValueError(
                f"pattern_projection_size must equal stored_pattern_size = {d_stored} when "
                f"pattern_projection_as_connected is True (got {d_proj})"
            )
        if static[2] and dv != dk:
            raise ValueError(
                f"pattern_size must equal hidden_size = {dk} when the pattern projection is "
                f"static and connected (got {dv})"
            )
    for flag, d, need, what, per in (
        (static[0], d_state, dk, "state_pattern_size", "hidden_size"),
        (static[1], d_stored, dk, "stored_pattern_size", "hidden_size"),
        (static[2] and not through_k, d_proj, dv, "pattern_projection_size", "pattern_size"),
    ):
        if flag and d not in (need, H * need):
            raise ValueError(
                f"a static pattern is used without projection, so {what} must equal {per} = "
                f"{need} (shared by the heads) or num_heads * {per} = {H * need} (one slice "
                f"per head) (got {d})"
            )
    if flags["disable_out_projection"]:
        d_out = H * dv
        if output_size is not None and output_size != d_out:
            raise ValueError(
                f"output_size must be num_heads * pattern_size = {d_out} when "
                f"disable_out_projection is True (got {output_size})"
            )
    else:
        d_out = check_int("output_size", output_size if output_size is not None else d_state,
                          low=1)
    if scaling is None:
        scaling = 1.0 if all_static else 1.0 / math.sqrt(dk)
    betas = _per_head("scaling", scaling,
                      H, lambda n, v: check_scalar(n, v, low=0.0, low_open=True))
    steps = _per_head("update_steps_max", update_steps_max, H, _steps)
    tols = _per_head("update_steps_eps", update_steps_eps, H,
                     lambda n, v: check_scalar(n, v, low=0.0))
    for h, (s, e) in enumerate(zip(steps, tols, strict=True)):
        if s is None and e == 0.0:
            raise ValueError(
                f"update_steps_eps must be > 0 for a head that iterates until it converges "
                f"(update_steps_max=None); head {h} has update_steps_eps=0.0"
            )
    return HopfieldConfig(
        state_size=d_state,
        stored_size=d_stored,
        projection_size=d_proj,
        hidden_size=dk,
        pattern_size=dv,
        output_size=d_out,
        num_heads=H,
        scaling=betas,
        update_steps_max=steps,
        update_steps_eps=tols,
        normalize_state=flags["normalize_state_pattern"],
        normalize_stored=flags["normalize_stored_pattern"],
        normalize_projection=flags["normalize_pattern_projection"],
        normalize_hopfield_space=flags["normalize_hopfield_space"],
        normalize_state_affine=flags["normalize_state_pattern_affine"]
        and flags["normalize_state_pattern"],
        normalize_stored_affine=flags["normalize_stored_pattern_affine"]
        and flags["normalize_stored_pattern"],
        normalize_projection_affine=flags["normalize_pattern_projection_affine"]
        and flags["normalize_pattern_projection"],
        normalize_hopfield_space_affine=flags["normalize_hopfield_space_affine"]
        and flags["normalize_hopfield_space"],
        normalize_state_eps=eps["normalize_state_pattern_eps"],
        normalize_stored_eps=eps["normalize_stored_pattern_eps"],
        normalize_projection_eps=eps["normalize_pattern_projection_eps"],
        normalize_hopfield_space_eps=eps["normalize_hopfield_space_eps"],
        state_static=static[0],
        stored_static=static[1],
        projection_static=static[2],
        projection_connected=connected,
        out_projection=not flags["disable_out_projection"],
        bias=flags["bias"],
        batch_first=flags["batch_first"],
        association_activation=check_activation("association_activation",
                                                association_activation),
        dropout=check_dropout("dropout", dropout),
        add_zero_association=flags["add_zero_association"],
    )


def init_params(cfg: HopfieldConfig, rng: np.random.Generator, dtype: Any) -> dict[str, Any]:
    """Xavier-uniform weights, zero biases, unit layer-norm scales (NumPy, host).

    Names and shapes: ``W_Q`` (state_size, H d_k), ``W_K`` (stored_size, H d_k), ``W_V``
    (:attr:`HopfieldConfig.value_input_size`, H d_v), ``W_O`` (H d_v, output_size), biases
    ``b_Q``, ``b_K``, ``b_V``, ``b_O``, layer norms ``ln_state_weight``/``ln_state_bias``
    (and ``stored``, ``projection``) and ``ln_hopfield_weight``/``ln_hopfield_bias`` (d_k,
    shared by the heads and by the state and stored patterns, as in hflayers).
    """

    def xavier(fan_in: int, fan_out: int) -> np.ndarray:
        a = math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-a, a, size=(fan_in, fan_out)).astype(dtype)

    H, dk, dv = cfg.num_heads, cfg.hidden_size, cfg.pattern_size
    p: dict[str, Any] = {}
    for key, flag, d_in, d_out in (
        ("Q", cfg.state_static, cfg.state_size, H * dk),
        ("K", cfg.stored_static, cfg.stored_size, H * dk),
        ("V", cfg.projection_static, cfg.value_input_size, H * dv),
    ):
        if not flag:
            p[f"W_{key}"] = xavier(d_in, d_out)
            if cfg.bias:
                p[f"b_{key}"] = np.zeros(d_out, dtype=dtype)
    if cfg.out_projection:
        p["W_O"] = xavier(H * dv, cfg.output_size)
        if cfg.bias:
            p["b_O"] = np.zeros(cfg.output_size, dtype=dtype)
    for key, flag, d in (
        ("state", cfg.normalize_state_affine, cfg.state_size),
        ("stored", cfg.normalize_stored_affine, cfg.stored_size),
        ("projection", cfg.normalize_projection_affine, cfg.projection_size),
        ("hopfield", cfg.normalize_hopfield_space_affine, dk),
    ):
        if flag:
            p[f"ln_{key}_weight"] = np.ones(d, dtype=dtype)
            p[f"ln_{key}_bias"] = np.zeros(d, dtype=dtype)
    return p
