"""Interoperability with ml-jku/hopfield-layers ("hflayers"): arguments and weights.

hflayers (https://github.com/ml-jku/hopfield-layers, not on PyPI) is the reference
implementation of the Hopfield layers of Ramsauer et al. 2020. This module translates
its constructor arguments (:func:`from_hflayers_kwargs`) and copies the weights of one of
its modules, or of its ``state_dict()``, into a layer of :mod:`assoc.modern.layers`,
:mod:`assoc.modern.transformer` or their torch modules (:func:`load_hflayers`); hflayers
itself is never imported. The parity tests use both to compare the two implementations.

Names: hflayers' ``input_bias`` is ``bias`` here; ``concat_bias_pattern`` is not
supported (hflayers creates the parameters but never uses them); a per-head
``update_steps_max`` tensor with negative entries (unbounded) becomes None entries. The
layout of the weights: hflayers' (out, in) matrices ``in_proj_weight`` (or
``q/k/v_proj_weight``), ``in_proj_bias`` (query, key and value parts, the value part
always present) and ``out_proj`` become ``W_Q``, ``W_K``, ``W_V``, ``W_O`` (in, out) and
their biases; ``p_norm_weight``/``p_norm_bias`` become ``ln_hopfield_weight``/``_bias``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..backend import get_namespace
from .layer_config import HopfieldConfig

__all__ = ["from_hflayers_kwargs", "hflayers_params", "load_hflayers"]


def from_hflayers_kwargs(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of an hflayers constructor, as this package's layers take them.

    Raises
    ------
    ValueError
        For ``concat_bias_pattern=True`` (not supported).
    """
    out = dict(kwargs)
    if "input_bias" in out:
        out["bias"] = out.pop("input_bias")
    if out.pop("concat_bias_pattern", False):
        raise ValueError("concat_bias_pattern must be False: hflayers creates the bias "
                         "patterns but never concatenates them, and this package has no "
                         "such option")
    steps = out.get("update_steps_max")
    if steps is not None and hasattr(steps, "tolist") and np.ndim(_array(steps)) == 1:
        out["update_steps_max"] = [None if s < 0 else int(s) for s in _array(steps).tolist()]
    for key in ("scaling", "update_steps_eps"):
        if hasattr(out.get(key), "detach"):
            out[key] = _array(out[key]).tolist()
    return out


def _array(x: Any) -> np.ndarray:
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def _state(source: Any) -> dict[str, np.ndarray]:
    sd = source.state_dict() if hasattr(source, "state_dict") else source
    if not isinstance(sd, Mapping):
        raise TypeError(f"source must be an hflayers module or its state_dict (got "
                        f"{type(source).__name__})")
    return {k: _array(v) for k, v in sd.items()}


def hflayers_params(state: Mapping[str, Any], cfg: HopfieldConfig, prefix: str = ""
                    ) -> dict[str, np.ndarray]:
    """The parameters of :func:`assoc.modern.layer_config.init_params` from the
    ``state_dict`` of an hflayers ``Hopfield`` (keys under ``prefix``).

    Raises
    ------
    ValueError
        When a weight is missing or its shape does not fit ``cfg``.
    """
    sd = {k[len(prefix):]: _array(v) for k, v in state.items() if k.startswith(prefix)}
    H, dk, dv = cfg.num_heads, cfg.hidden_size, cfg.pattern_size
    core = "association_core."
    p: dict[str, np.ndarray] = {}

    def need(key: str) -> np.ndarray:
        if key not in sd:
            raise ValueError(f"the hflayers state has no {prefix}{key} (the configuration "
                             f"needs it; keys: {sorted(sd)})")
        return sd[key]

    parts = [("Q", cfg.state_static, H * dk, "q_proj_weight"),
             ("K", cfg.stored_static, H * dk, "k_proj_weight"),
             ("V", cfg.projection_static, H * dv, "v_proj_weight")]
    fused = sd.get(core + "in_proj_weight")
    bias = sd.get(core + "in_proj_bias")
    row = 0
    for key, static, n, name in parts:
        if static:
            continue
        w = fused[row:row + n] if fused is not None else need(core + name)
        p[f"W_{key}"] = np.ascontiguousarray(w.T)
        if cfg.bias:
            if bias is None:
                raise ValueError(f"the hflayers state has no {prefix}{core}in_proj_bias "
                                 f"(bias=True needs it)")
            p[f"b_{key}"] = bias[row:row + n].copy()
        row += n
    if cfg.out_projection:
        p["W_O"] = np.ascontiguousarray(need(core + "out_proj.weight").T)
        if cfg.bias:
            p["b_O"] = need(core + "out_proj.bias").copy()
    for ours, theirs, flag in (
        ("state", "norm_state_pattern", cfg.normalize_state_affine),
        ("stored", "norm_stored_pattern", cfg.normalize_stored_affine),
        ("projection", "norm_pattern_projection", cfg.normalize_projection_affine),
    ):
        if flag:
            p[f"ln_{ours}_weight"] = need(f"{theirs}.weight").copy()
            p[f"ln_{ours}_bias"] = need(f"{theirs}.bias").copy()
    if cfg.normalize_hopfield_space_affine:
        p["ln_hopfield_weight"] = need(core + "p_norm_weight").copy()
        p["ln_hopfield_bias"] = need(core + "p_norm_bias").copy()
    return p


def _learned(sd: Mapping[str, np.ndarray], key: str) -> np.ndarray:
    w = sd[key]
    return np.ascontiguousarray(w.reshape(-1, w.shape[-1]))  # (1, q, d) or (q, 1, d)


def _block_params(sd: Mapping[str, np.ndarray], norms: tuple[str, ...]
                  ) -> dict[str, np.ndarray]:
    p = {}
    for lin in ("linear_residual", "linear_output"):
        p[f"{lin}_weight"] = np.ascontiguousarray(sd[f"{lin}.weight"].T)
        p[f"{lin}_bias"] = sd[f"{lin}.bias"].copy()
    for n in norms:
        p[f"{n}_weight"] = sd[f"{n}.weight"].copy()
        p[f"{n}_bias"] = sd[f"{n}.bias"].copy()
    return p


def _set(target: Any, params: dict[str, np.ndarray]) -> None:
    """Write ``params`` into a NumPy layer or block (its dtype and backend) or a torch
    module (its parameters, in place)."""
    if hasattr(target, "_parameters") and hasattr(target, "named_parameters"):  # torch
        import torch

        own = target._parameters
        missing = set(own) - set(params)
        extra = set(params) - set(own)
        if missing or extra:
            raise ValueError(f"the hflayers weights do not fit the module: missing {missing}, "
                             f"unexpected {extra}")
        with torch.no_grad():
            for k, v in params.items():
                t = torch.as_tensor(v)
                if tuple(t.shape) != tuple(own[k].shape):
                    raise ValueError(f"the hflayers weight {k} has shape {tuple(t.shape)}, the "
                                     f"module expects {tuple(own[k].shape)}")
                own[k].copy_(t.to(own[k].dtype))
        return
    xp = get_namespace(*target.params.values())
    missing = set(target.params) - set(params)
    extra = set(params) - set(target.params)
    if missing or extra:
        raise ValueError(f"the hflayers weights do not fit the layer: missing {missing}, "
                         f"unexpected {extra}")
    for k, v in params.items():
        if tuple(v.shape) != tuple(target.params[k].shape):
            raise ValueError(f"the hflayers weight {k} has shape {tuple(v.shape)}, the layer "
                             f"expects {tuple(target.params[k].shape)}")
    target.params = {k: xp.asarray(np.asarray(v, dtype=target.params[k].dtype))
                     for k, v in params.items()}


def load_hflayers(target: Any, source: Any) -> Any:
    """Copy the weights of an hflayers module into ``target`` (in place; returned).

    Parameters
    ----------
    target : layer or module
        A :class:`~assoc.modern.layers.Hopfield`, ``HopfieldPooling``, ``HopfieldLayer``,
        :class:`~assoc.modern.transformer.HopfieldEncoderLayer` or ``HopfieldDecoderLayer``,
        or the torch module of one, configured as the source (see
        :func:`from_hflayers_kwargs`).
    source : hflayers module or its ``state_dict()``
        Of the same kind as ``target``.

    Returns
    -------
    target
    """
    sd = _state(source)
    if hasattr(target, "hopfield_association"):  # encoder block
        _load_block(target, sd, ("hopfield_association",), ("norm_residual", "norm_output"))
        return target
    if hasattr(target, "hopfield_association_self"):  # decoder block
        _load_block(target, sd, ("hopfield_association_self", "hopfield_association_cross"),
                    ("norm_residual_self", "norm_residual_cross", "norm_output"))
        return target
    cfg = target.config
    kind = type(target).__name__
    prefix = "hopfield." if kind in ("HopfieldPooling", "HopfieldLayer") else ""
    params = hflayers_params(sd, cfg, prefix)
    if kind == "HopfieldPooling":
        params["pooling_weights"] = _learned(sd, "pooling_weights")
    elif kind == "HopfieldLayer":
        params["lookup_weights"] = _learned(sd, "lookup_weights")
        if "target_weights" in sd:
            params["target_weights"] = _learned(sd, "target_weights")
    _set(target, params)
    return target


def _load_block(target: Any, sd: dict[str, np.ndarray], associations: tuple[str, ...],
                norms: tuple[str, ...]) -> None:
    for name in associations:
        assoc = getattr(target, name)
        _set(assoc, hflayers_params(sd, assoc.config, f"{name}."))
    _set_block(target, _block_params(sd, norms))


def _set_block(target: Any, params: dict[str, np.ndarray]) -> None:
    if hasattr(target, "named_parameters"):  # torch: only the block's own parameters
        import torch

        with torch.no_grad():
            for k, v in params.items():
                own = target._parameters[k]
                own.copy_(torch.as_tensor(v).to(own.dtype))
        return
    xp = get_namespace(*target.params.values())
    target.params = {k: xp.asarray(np.asarray(v, dtype=target.params[k].dtype))
                     for k, v in params.items()}
