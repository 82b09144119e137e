"""Training and prediction of Hopular on a table (Schaefl et al. 2022; PyTorch, imported
when a model is fitted).

:func:`fit_hopular` encodes a table (:class:`TabularEncoding`: numerical columns
standardised with the training statistics, categorical columns and class labels as integer
codes, missing values (NaN) masked), builds :class:`assoc.modern.hopular.Hopular` and trains
it on the whole training set, which is also its memory, with the masked-feature plus target
objective (:func:`assoc.modern.hopular.hopular_loss`). It returns a :class:`HopularFit` (the
state: model, encoding, memory, loss history) that predicts new rows: their target is
masked and retrieved from the stored training set.

Training, per epoch (:class:`HopularConfig` holds the settings and their reasons):

* corruption (:func:`mask_features`): every known feature entry is selected with probability
  ``mask_rate``; a selected entry is masked (``mask_fraction``, 80 %), replaced by a random
  value (``replace_fraction``, 10 %: a standard normal for a numerical column, a uniform
  class for a categorical one) or kept (10 %), BERT's scheme (Devlin et al. 2019, Sec. 3.1),
  and enters the feature loss. The target is always masked in the input. The authors' code
  selects every entry and masks 2.5 % / replaces 17.5 % of them (``mask_rate = 1``,
  ``mask_fraction = 0.025``, ``replace_fraction = 0.175``); the BERT rates are our default;
* the batches (the whole training set by default, as in the authors' code) retrieve from the
  whole uncorrupted training set, a sample never from its own row;
* the feature-loss weight ``w`` falls from ``feature_loss_weight[0]`` to
  ``feature_loss_weight[1]`` along a half cosine over the training (the authors anneal from
  1 to 0 the same way);
* AdamW (Loshchilov & Hutter 2019, Algorithm 2; written out in :class:`AdamW`) with a linear
  warm-up over ``warmup`` of the steps and a cosine decay to 0, the gradient norm clipped to
  ``clip_norm``. The authors use LAMB with Lookahead and a cosine schedule.

Randomness: the initial parameters (stream ``'model'``, key 0), dropout (torch's generator,
seeded from stream ``'model'``, key 1, inside :func:`torch.random.fork_rng`: the global
generator is left as it was) and per epoch the corruption and batch order (stream
``'queries'``, key ``epoch``) all derive from the one ``seed``.

Examples
--------
>>> from sklearn.datasets import load_iris                       # doctest: +SKIP
>>> X, y = load_iris(return_X_y=True)                            # doctest: +SKIP
>>> fit = fit_hopular(X[::2], y[::2], task="classification",
...                   config=HopularConfig(epochs=60), seed=0)   # doctest: +SKIP
>>> fit.score(X[1::2], y[1::2]) > 0.8                            # doctest: +SKIP
True
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import xarray as xr

from ..dataset import finalize
from ..seeding import SeedLike, normalize_seed, seed_entropy, stream_rng, stream_seed
from ..validation import brief, check_choice, check_int, check_scalar

__all__ = ["HopularConfig", "TabularEncoding", "HopularFit", "AdamW", "mask_features",
           "fit_hopular", "TASKS"]

TASKS = ("classification", "regression")

#: Of the selected entries: masked, replaced by a random value, kept (BERT, Sec. 3.1).
MASK_SPLIT = (0.8, 0.1, 0.1)


def _columns(categories: Any) -> tuple[int, ...]:
    """A column description as a tuple of ints >= 0 (the full rules are those of
    :func:`assoc.modern.hopular.check_categories`, which needs PyTorch)."""
    if isinstance(categories, (str, bytes)) or not hasattr(categories, "__len__"):
        raise ValueError(f"categories must be a sequence of ints (0: numerical, >= 2: number of "
                         f"classes), one per column, the target last (got {brief(categories)})")
    return tuple(check_int(f"categories[{j}]", k, low=0) for j, k in enumerate(categories))


@dataclass(frozen=True)
class HopularConfig:
    """Architecture and training settings of :func:`fit_hopular` (validated on creation).

    Attributes
    ----------
    feature_size, hidden_size, num_heads, num_blocks, scaling :
        Of :class:`assoc.modern.hopular.Hopular`. The defaults (16, 16, 4, 2, 1.0) are smaller
        than the authors' (32, input size / heads, 8, 8, 1.0) to train on two CPU cores.
    input_dropout, lookup_dropout, output_dropout : float
        The authors' defaults 0.1, 0.1, 0.01.
    mask_rate : float, default 0.15
        Probability that a known feature entry is selected for the masked-feature objective
        (BERT's rate).
    mask_fraction, replace_fraction : float, default 0.8, 0.1
        Of the selected entries, the fractions masked and replaced by a random value (the
        rest is kept); BERT's split (:data:`MASK_SPLIT`). The authors' code: ``mask_rate =
        1``, ``mask_fraction = 0.025``, ``replace_fraction = 0.175``.
    feature_loss_weight : (float, float), default (1.0, 0.0)
        Start and end of the weight ``w`` of the feature loss, annealed by a half cosine (the
        authors' defaults).
    epochs : int, default 200
        Passes over the training set (the authors: 5000, with validation-based selection).
    batch_size : int or None, default None
        None: the whole training set per step (the authors' default).
    lr, weight_decay : float, default 1e-3, 0.01
        AdamW's step size and decoupled weight decay.
    warmup : float, default 0.05
        Fraction of the steps with a linear warm-up of the step size.
    clip_norm : float, default 1.0
        Gradient norm clipping (the authors' value).
    """

    feature_size: int = 16
    hidden_size: int = 16
    num_heads: int = 4
    num_blocks: int = 2
    scaling: float = 1.0
    input_dropout: float = 0.1
    lookup_dropout: float = 0.1
    output_dropout: float = 0.01
    mask_rate: float = 0.15
    mask_fraction: float = MASK_SPLIT[0]
    replace_fraction: float = MASK_SPLIT[1]
    feature_loss_weight: tuple[float, float] = (1.0, 0.0)
    epochs: int = 200
    batch_size: int | None = None
    lr: float = 1e-3
    weight_decay: float = 0.01
    warmup: float = 0.05
    clip_norm: float = 1.0

    def __post_init__(self) -> None:
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        for name in ("feature_size", "hidden_size", "num_heads", "num_blocks", "epochs"):
            put(name, check_int(name, getattr(self, name), low=1))
        if self.batch_size is not None:
            put("batch_size", check_int("batch_size", self.batch_size, low=1))
        put("scaling", check_scalar("scaling", self.scaling, low=0.0, low_open=True))
        for name in ("input_dropout", "lookup_dropout", "output_dropout"):
            put(name, check_scalar(name, getattr(self, name), low=0.0, high=1.0,
                                   high_open=True))
        for name in ("mask_rate", "mask_fraction", "replace_fraction"):
            put(name, check_scalar(name, getattr(self, name), low=0.0, high=1.0))
        if self.mask_fraction + self.replace_fraction > 1.0:
            raise ValueError(f"mask_fraction + replace_fraction must be <= 1 (got "
                             f"{self.mask_fraction} + {self.replace_fraction})")
        w = self.feature_loss_weight
        if isinstance(w, (str, bytes)) or not hasattr(w, "__len__") or len(w) != 2:
            raise ValueError(f"feature_loss_weight must be a pair (start, end) of weights in "
                             f"[0, 1] (got {brief(w)})")
        put("feature_loss_weight", tuple(
            check_scalar(f"feature_loss_weight[{i}]", v, low=0.0, high=1.0)
            for i, v in enumerate(w)))
        put("lr", check_scalar("lr", self.lr, low=0.0, low_open=True))
        put("weight_decay", check_scalar("weight_decay", self.weight_decay, low=0.0))
        put("warmup", check_scalar("warmup", self.warmup, low=0.0, high=1.0, high_open=True))
        put("clip_norm", check_scalar("clip_norm", self.clip_norm, low=0.0, low_open=True))

    def model_options(self) -> dict[str, Any]:
        """The keyword arguments of :class:`assoc.modern.hopular.Hopular`."""
        keys = ("feature_size", "hidden_size", "num_heads", "num_blocks", "scaling",
                "input_dropout", "lookup_dropout", "output_dropout")
        return {k: getattr(self, k) for k in keys}

    def as_attrs(self) -> dict[str, Any]:
        """The settings as netCDF-friendly Dataset attrs (prefix ``hopular_``)."""
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f"hopular_{f.name}"] = "None" if v is None else (
                str(list(v)) if isinstance(v, tuple) else v)
        return out


def _table(name: str, X: Any) -> np.ndarray:
    """A 2-D float64 table; NaN marks a missing value, infinities are refused."""
    try:
        arr = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{name} must be a 2-D array of numbers (n_samples, n_features) "
                         f"({e})") from None
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"{name} must be a 2-D array (n_samples, n_features) with at least "
                         f"one row and one column (got shape {arr.shape})")
    if np.isinf(arr).any():
        raise ValueError(f"{name} must hold finite values or NaN (missing) (got infinities)")
    return arr


@dataclass(frozen=True)
class TabularEncoding:
    """How a table is presented to Hopular: the column description and the statistics of
    the training set.

    Numerical features are standardised with the training mean and standard deviation (a
    constant column is only centred), categorical features and class labels become integer
    codes in the order of their sorted training values, a regression target is
    standardised. Build it with :meth:`fit`.

    Attributes
    ----------
    task : {'classification', 'regression'}
    n_features : int
    categorical : tuple of int
        Indices of the categorical feature columns.
    levels : tuple of arrays
        The training values of each categorical column (its classes, sorted).
    mean, std : arrays (n_features,)
        Of the numerical columns (0 and 1 for the categorical ones).
    classes : array
        The class labels (classification); empty for regression.
    target_mean, target_std : float
        Of a regression target (0 and 1 for classification).
    """

    task: str
    n_features: int
    categorical: tuple[int, ...]
    levels: tuple[np.ndarray, ...]
    mean: np.ndarray
    std: np.ndarray
    classes: np.ndarray
    target_mean: float = 0.0
    target_std: float = 1.0

    @classmethod
    def fit(cls, X: Any, y: Any, *, task: str, categorical: Sequence[int] = ()
            ) -> TabularEncoding:
        """The encoding of the training table ``X`` (n, p; NaN = missing) and targets ``y``."""
        task = check_choice("task", task, TASKS)
        X = _table("X", X)
        n, p = X.shape
        y = np.asarray(y)
        if y.ndim != 1 or y.shape[0] != n:
            raise ValueError(f"y must be a 1-D array with one target per row of X (n = {n}) "
                             f"(got shape {y.shape})")
        if isinstance(categorical, (str, bytes)) or not hasattr(categorical, "__iter__"):
            raise ValueError(f"categorical must be a sequence of column indices "
                             f"(got {brief(categorical)})")
        cat = tuple(sorted({check_int("categorical", c, low=0, high=p - 1)
                            for c in categorical}))
        levels = tuple(np.unique(X[~np.isnan(X[:, c]), c]) for c in cat)
        for c, lv in zip(cat, levels, strict=True):
            if lv.size < 2:
                raise ValueError(f"categorical column {c} must take at least 2 values in the "
                                 f"training set (got {lv.size})")
        mean, std = np.zeros(p), np.ones(p)
        num = [j for j in range(p) if j not in cat]
        for j in num:
            col = X[~np.isnan(X[:, j]), j]
            if col.size:
                mean[j] = col.mean()
                s = col.std()
                std[j] = s if s > 0 else 1.0
        if task == "classification":
            if y.dtype.kind == "f" and np.isnan(y).any():
                raise ValueError("y must not hold NaN (every training row needs its class)")
            classes = np.unique(y)
            if classes.size < 2:
                raise ValueError(f"y must hold at least 2 classes for classification "
                                 f"(got {classes.size})")
            return cls(task, p, cat, levels, mean, std, classes)
        yr = np.asarray(y, dtype=np.float64) if y.dtype.kind in "iuf" else None
        if yr is None or not np.isfinite(yr).all():
            raise ValueError("y must hold finite numbers for regression")
        s = float(yr.std())
        return cls(task, p, cat, levels, mean, std, np.zeros(0), float(yr.mean()),
                   s if s > 0 else 1.0)

    @property
    def categories(self) -> tuple[int, ...]:
        """The column description of :class:`~assoc.modern.hopular.Hopular` (target last)."""
        cats = [0] * self.n_features
        for c, lv in zip(self.categorical, self.levels, strict=True):
            cats[c] = int(lv.size)
        return (*cats, int(self.classes.size) if self.task == "classification" else 0)

    def encode(self, X: Any, y: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """``(values, missing)`` of shape (n, n_features + 1), the target last.

        Unknown categorical values (not seen in training) and NaN are missing; without
        ``y`` the target column is missing.
        """
        X = _table("X", X)
        if X.shape[1] != self.n_features:
            raise ValueError(f"X must have {self.n_features} columns, as in training (got "
                             f"{X.shape[1]})")
        n = X.shape[0]
        values = np.zeros((n, self.n_features + 1))
        missing = np.zeros((n, self.n_features + 1), dtype=bool)
        missing[:, :-1] = np.isnan(X)
        values[:, :-1] = np.where(missing[:, :-1], 0.0, (X - self.mean) / self.std)
        for c, lv in zip(self.categorical, self.levels, strict=True):
            col = X[:, c]
            code = np.searchsorted(lv, col).clip(0, lv.size - 1)
            known = lv[code] == col
            values[:, c] = np.where(known, code, 0)
            missing[:, c] = ~known
        if y is None:
            missing[:, -1] = True
            return values, missing
        y = np.asarray(y)
        if y.shape != (n,):
            raise ValueError(f"y must have shape ({n},) (got {y.shape})")
        if self.task == "classification":
            code = np.searchsorted(self.classes, y).clip(0, self.classes.size - 1)
            if not (self.classes[code] == y).all():
                raise ValueError("y holds classes that were not in the training set")
            values[:, -1] = code
        else:
            values[:, -1] = (np.asarray(y, dtype=np.float64) - self.target_mean) \
                / self.target_std
        return values, missing


def mask_features(values: np.ndarray, missing: np.ndarray, categories: Sequence[int], *,
                  rate: float, mask_fraction: float = MASK_SPLIT[0],
                  replace_fraction: float = MASK_SPLIT[1], seed: SeedLike = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Corrupt a batch for the masked-feature objective (module notes).

    Parameters
    ----------
    values, missing : arrays (n, F)
        Encoded batch (:meth:`TabularEncoding.encode`), the target in the last column.
    categories : sequence of int
        The column description (0: numerical, K: classes).
    rate : float
        Selection probability of each known feature entry.
    mask_fraction, replace_fraction : float
        Of the selected entries, the fractions masked and replaced (the rest is kept).
    seed : int, SeedSequence, Generator or None, keyword-only

    Returns
    -------
    inputs : array (n, F)
        The corrupted values (masked entries set to 0, replaced ones drawn anew).
    masked : array (n, F) of bool
        Input mask: missing entries, masked features, and the whole target column.
    selected : array (n, F) of bool
        Entries of the loss: the selected features and the known targets.
    """
    rate = check_scalar("rate", rate, low=0.0, high=1.0)
    pm = check_scalar("mask_fraction", mask_fraction, low=0.0, high=1.0)
    pr = check_scalar("replace_fraction", replace_fraction, low=0.0, high=1.0 - pm)
    cats = _columns(categories)
    values = _table("values", values)
    missing = np.asarray(missing) if not isinstance(missing, (str, bytes)) else None
    if missing is None or missing.dtype != bool:
        raise ValueError(f"missing must be a boolean array (got {brief(missing)})")
    if values.shape != missing.shape or values.shape[1] != len(cats):
        raise ValueError(f"values and missing must have shape (n, {len(cats)}) (got "
                         f"{values.shape} and {missing.shape})")
    rng = np.random.default_rng(normalize_seed(seed))
    n, F_ = values.shape
    u_select, u_kind = rng.random((n, F_)), rng.random((n, F_))
    selected = (u_select < rate) & ~missing
    selected[:, -1] = ~missing[:, -1]
    masked = missing.copy()
    masked[:, -1] = True
    feat = np.zeros((n, F_), dtype=bool)
    feat[:, :-1] = selected[:, :-1]
    masked |= feat & (u_kind < pm)
    replace = feat & (u_kind >= pm) & (u_kind < pm + pr)
    inputs = np.where(masked, 0.0, values)
    noise = rng.standard_normal((n, F_))
    K = np.array(cats, dtype=np.float64)
    codes = np.floor(rng.random((n, F_)) * np.maximum(K, 1.0))
    inputs = np.where(replace, np.where(K > 0, codes, noise), inputs)
    return inputs, masked, selected


class AdamW:
    """AdamW (Loshchilov & Hutter 2019, Algorithm 2; PyTorch's ``torch.optim.AdamW``
    arithmetic), written out: the first ``torch.optim`` optimizer imports torch's compiler
    stack, which takes seconds.

    ``step(lr)`` applies the decoupled decay ``p <- p (1 - lr weight_decay)`` and the
    bias-corrected Adam step with the gradients in ``.grad``, which are then cleared.
    """

    def __init__(self, params: Sequence[Any], weight_decay: float = 0.01, betas:
                 tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        import torch

        self.torch = torch
        self.params = [p for p in params if p.requires_grad]
        self.weight_decay, self.betas, self.eps = weight_decay, betas, eps
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.t = 0

    def step(self, lr: float) -> None:
        self.t += 1
        b1, b2 = self.betas
        c1, c2 = 1.0 - b1**self.t, 1.0 - b2**self.t
        with self.torch.no_grad():
            for p, m, v in zip(self.params, self.m, self.v, strict=True):
                g = p.grad
                if g is None:
                    continue
                p.mul_(1.0 - lr * self.weight_decay)
                m.mul_(b1).add_(g, alpha=1.0 - b1)
                v.mul_(b2).addcmul_(g, g, value=1.0 - b2)
                p.addcdiv_(m, (v / c2).sqrt_().add_(self.eps), value=-lr / c1)
                p.grad = None


def _lr(step: int, total: int, lr: float, warmup: float) -> float:
    """Linear warm-up over ``warmup * total`` steps, then a cosine decay to 0."""
    w = int(math.ceil(warmup * total))
    if step < w:
        return lr * (step + 1) / w
    return 0.5 * lr * (1.0 + math.cos(math.pi * (step - w) / max(1, total - w)))


def _feature_weight(step: int, total: int, start: float, end: float) -> float:
    """Half-cosine annealing from ``start`` to ``end`` over ``total`` steps."""
    return end + 0.5 * (start - end) * (1.0 + math.cos(math.pi * step / max(1, total - 1)))


@dataclass
class HopularFit:
    """A trained Hopular and what it needs to predict (the state of :func:`fit_hopular`).

    Attributes
    ----------
    model : assoc.modern.hopular.Hopular
    encoding : TabularEncoding
    config : HopularConfig
    memory, memory_missing : arrays (N, F)
        The encoded training set (the stored patterns) and its missing entries.
    history : xarray.Dataset
        Per epoch: ``loss``, ``feature_loss``, ``target_loss``, ``feature_weight``, ``lr``.
    """

    model: Any
    encoding: TabularEncoding
    config: HopularConfig
    memory: np.ndarray
    memory_missing: np.ndarray
    history: xr.Dataset = field(repr=False)

    def _outputs(self, X: Any, batch: int = 512) -> Any:
        import torch

        values, missing = self.encoding.encode(X)
        dtype = next(self.model.parameters()).dtype
        mem = torch.as_tensor(self.memory, dtype=dtype)
        mem_missing = torch.as_tensor(self.memory_missing)
        self.model.eval()
        outs = []
        with torch.no_grad():
            for s in range(0, values.shape[0], batch):
                v = torch.as_tensor(values[s:s + batch], dtype=dtype)
                m = torch.as_tensor(missing[s:s + batch])
                outs.append(self.model.split(self.model(v, m, mem, mem_missing))[-1])
        return torch.cat(outs).double().numpy()

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (n, classes) of the rows of ``X`` (classification)."""
        if self.encoding.task != "classification":
            raise ValueError("predict_proba needs a classification fit (task='regression')")
        z = self._outputs(X)
        z = np.exp(z - z.max(1, keepdims=True))
        return z / z.sum(1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted classes (in the labels of ``y``) or values of the rows of ``X``."""
        z = self._outputs(X)
        enc = self.encoding
        if enc.task == "classification":
            return enc.classes[z.argmax(1)]
        return z * enc.target_std + enc.target_mean

    def score(self, X: Any, y: Any) -> float:
        """Accuracy (classification) or coefficient of determination R^2 (regression)."""
        p, y = self.predict(X), np.asarray(y)
        if self.encoding.task == "classification":
            return float(np.mean(p == y))
        y = y.astype(np.float64)
        return float(1.0 - np.sum((y - p) ** 2) / np.sum((y - y.mean()) ** 2))


def fit_hopular(X: Any, y: Any, *, task: str, categorical: Sequence[int] = (),
                config: HopularConfig | None = None, seed: SeedLike = None) -> HopularFit:
    """Train Hopular on the table ``X``, ``y`` (module notes).

    Parameters
    ----------
    X : array (n, p)
        Features; NaN marks a missing value.
    y : array (n,)
        Class labels (classification) or real targets (regression).
    task : {'classification', 'regression'}
    categorical : sequence of int
        Indices of the categorical columns of ``X`` (the others are numerical).
    config : HopularConfig, optional
        Default ``HopularConfig()``.
    seed : int, SeedSequence, Generator or None, keyword-only
        Root of the initial parameters, dropout, corruption and batch order.

    Returns
    -------
    HopularFit
        With ``predict``, ``predict_proba``, ``score`` and the loss ``history``.

    Raises
    ------
    ValueError
        Naming the argument: a bad ``task``, table, target or column index, fewer than 2
        training rows.
    ImportError
        Without PyTorch.
    """
    config = HopularConfig() if config is None else config
    if not isinstance(config, HopularConfig):
        raise TypeError(f"config must be a HopularConfig (got {type(config).__name__})")
    enc = TabularEncoding.fit(X, y, task=task, categorical=categorical)
    values, missing = enc.encode(X, y)
    n = values.shape[0]
    if n < 2:
        raise ValueError(f"X must hold at least 2 rows: a training row never retrieves itself "
                         f"(got {n})")
    root = normalize_seed(seed)
    import torch

    from .hopular import Hopular, hopular_loss

    cats = enc.categories
    c = config
    batch = n if c.batch_size is None else min(c.batch_size, n)
    per_epoch = math.ceil(n / batch)
    total = c.epochs * per_epoch
    hist = {k: np.zeros(c.epochs) for k in ("loss", "feature_loss", "target_loss",
                                            "feature_weight", "lr")}
    t0 = time.perf_counter()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(stream_seed(root, "model", 1).generate_state(1)[0]))
        model = Hopular(cats, **c.model_options(), seed=stream_seed(root, "model", 0),
                        dtype=torch.float32)
        opt = AdamW(list(model.parameters()), weight_decay=c.weight_decay)
        mem = torch.as_tensor(values, dtype=torch.float32)
        mem_missing = torch.as_tensor(missing)
        rows = torch.arange(n)
        step = 0
        model.train()
        for epoch in range(c.epochs):
            rng = stream_rng(root, "queries", epoch)
            inputs, masked, selected = mask_features(
                values, missing, cats, rate=c.mask_rate, mask_fraction=c.mask_fraction,
                replace_fraction=c.replace_fraction, seed=rng)
            order = rng.permutation(n) if batch < n else np.arange(n)
            inputs_t = torch.as_tensor(inputs, dtype=torch.float32)
            masked_t, selected_t = torch.as_tensor(masked), torch.as_tensor(selected)
            sums = np.zeros(3)
            for s in range(0, n, batch):
                idx = torch.as_tensor(order[s:s + batch])
                lr = _lr(step, total, c.lr, c.warmup)
                w = _feature_weight(step, total, *c.feature_loss_weight)
                out = model(inputs_t[idx], masked_t[idx], mem, mem_missing,
                            memory_exclude=idx[:, None] == rows[None, :])
                loss, lf, lt = hopular_loss(cats, out, mem[idx], selected_t[idx], w)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(opt.params, c.clip_norm)
                opt.step(lr)
                sums += np.array([float(t.detach()) for t in (loss, lf, lt)]) * len(idx) / n
                step += 1
            hist["loss"][epoch], hist["feature_loss"][epoch], hist["target_loss"][epoch] = sums
            hist["feature_weight"][epoch], hist["lr"][epoch] = w, lr
    model.eval()
    ds = xr.Dataset({k: ("epoch", v) for k, v in hist.items()},
                    coords={"epoch": np.arange(1, c.epochs + 1)})
    for k, ln in (("loss", "training objective w L_feature + (1 - w) L_target, epoch mean"),
                  ("feature_loss", "masked-feature loss (MSE / cross entropy), epoch mean"),
                  ("target_loss", "target loss (MSE of the standardised target / cross "
                                  "entropy), epoch mean"),
                  ("feature_weight", "weight w of the feature loss at the epoch's last step"),
                  ("lr", "AdamW step size at the epoch's last step"),
                  ("epoch", "training epoch")):
        ds[k].attrs.update(long_name=ln, units="1")
    ds = finalize(ds, kind="experiment", model="hopular",
                  normalisation="numerical columns standardised with the training statistics; "
                                "beta = scaling / sqrt(hidden_size)",
                  references=["Schaefl2022", "Ramsauer2020"], task=enc.task,
                  categories=str(list(cats)), n_train=n, seeds=seed_entropy(root),
                  optimizer="AdamW", train_seconds=round(time.perf_counter() - t0, 3),
                  equations="Ramsauer et al. 2020 Eqs. (3), (10); Schaefl et al. 2022 Sec. 3",
                  **c.as_attrs())
    return HopularFit(model, enc, c, values, missing, ds)
