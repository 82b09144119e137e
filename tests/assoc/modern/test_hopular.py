"""Hopular (Schaefl et al. 2022): the architecture (assoc.modern.hopular: shapes, masking,
no self-retrieval, gradients against finite differences in float64) and its training
(assoc.modern.hopular_training: encoding, corruption, AdamW, a loss that falls on a learnable
task, determinism, refused input). The torch-free parts run without PyTorch."""

from __future__ import annotations

import math

import numpy as np
import pytest

from assoc.dataset import assert_valid_result
from assoc.modern.hopular_training import (
    MASK_SPLIT,
    HopularConfig,
    TabularEncoding,
    _feature_weight,
    _lr,
    fit_hopular,
    mask_features,
)

TORCH_REASON = "Hopular's model needs PyTorch, which is optional (pip install torch)"


@pytest.fixture
def torch():
    """PyTorch (skipped without it), one intra-op thread inside the test: the models are
    tiny and the cores shared."""
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield torch
    torch.set_num_threads(old)


def _table(n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A learnable table: the class is the sign of column 0; column 3 is categorical."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    X[:, 3] = rng.integers(0, 3, n) * 10.0  # categorical levels 0, 10, 20
    y = np.where(X[:, 0] > 0, "pos", "neg")
    return X, y


TINY = dict(feature_size=8, hidden_size=4, num_heads=2, num_blocks=1, epochs=40, lr=5e-3)


# -- torch-free: configuration, encoding, corruption, schedules -----------------------------
@pytest.mark.parametrize("kwargs, name", [
    (dict(epochs=0), "epochs"),
    (dict(feature_size=2.5), "feature_size"),
    (dict(num_heads=True), "num_heads"),
    (dict(batch_size=0), "batch_size"),
    (dict(mask_rate=1.5), "mask_rate"),
    (dict(mask_fraction=0.5, replace_fraction=0.6), r"mask_fraction \+ replace_fraction"),
    (dict(replace_fraction=-0.1), "replace_fraction"),
    (dict(lookup_dropout=1.0), "lookup_dropout"),
    (dict(feature_loss_weight=(1.0,)), "feature_loss_weight"),
    (dict(feature_loss_weight=(1.0, -0.1)), r"feature_loss_weight\[1\]"),
    (dict(lr=0.0), "lr"),
    (dict(scaling=float("nan")), "scaling"),
    (dict(warmup=1.0), "warmup"),
    (dict(clip_norm=-1), "clip_norm"),
])
def test_config_refuses_bad_values_naming_them(kwargs: dict, name: str) -> None:
    with pytest.raises((ValueError, TypeError), match=name):
        HopularConfig(**kwargs)


def test_config_defaults_and_attrs() -> None:
    c = HopularConfig()
    assert c.feature_loss_weight == (1.0, 0.0) and c.batch_size is None
    assert set(c.model_options()) == {"feature_size", "hidden_size", "num_heads", "num_blocks",
                                      "scaling", "input_dropout", "lookup_dropout",
                                      "output_dropout"}
    attrs = c.as_attrs()
    assert attrs["hopular_batch_size"] == "None"
    assert attrs["hopular_feature_loss_weight"] == "[1.0, 0.0]"


def test_encoding_standardises_and_codes() -> None:
    X, y = _table()
    X[5, 1] = np.nan
    enc = TabularEncoding.fit(X, y, task="classification", categorical=[3])
    assert enc.categories == (0, 0, 0, 3, 2)
    values, missing = enc.encode(X, y)
    assert values.shape == missing.shape == (60, 5)
    num = ~missing[:, 0]
    np.testing.assert_allclose(values[num, 0].mean(), 0.0, atol=1e-12)
    np.testing.assert_allclose(values[num, 0].std(), 1.0, rtol=1e-12)
    assert missing[5, 1] and values[5, 1] == 0.0 and missing.sum() == 1
    np.testing.assert_array_equal(values[:, 3], X[:, 3] / 10.0)  # levels 0, 10, 20 -> codes
    np.testing.assert_array_equal(values[:, 4], (y == "pos").astype(float))  # sorted classes
    # unseen levels are missing; without y the target is missing
    Xn = X[:3].copy()
    Xn[0, 3] = 5.0
    v, m = enc.encode(Xn)
    assert m[0, 3] and not m[1, 3] and m[:, -1].all()


def test_encoding_regression_target() -> None:
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((30, 2)), 3.0 + 2.0 * rng.standard_normal(30)
    enc = TabularEncoding.fit(X, y, task="regression")
    assert enc.categories == (0, 0, 0)
    v, _ = enc.encode(X, y)
    np.testing.assert_allclose(v[:, -1] * enc.target_std + enc.target_mean, y)


@pytest.mark.parametrize("call, name", [
    (lambda X, y: TabularEncoding.fit(X, y, task="clustering"), "task"),
    (lambda X, y: TabularEncoding.fit(X[:, 0], y, task="classification"), "X"),
    (lambda X, y: TabularEncoding.fit(X, y[:-1], task="classification"), "y"),
    (lambda X, y: TabularEncoding.fit(X, y, task="classification", categorical=[4]),
     "categorical"),
    (lambda X, y: TabularEncoding.fit(np.column_stack([np.ones(len(X)), X[:, 1:]]), y,
                                      task="classification", categorical=[0]),
     "categorical column 0"),
    (lambda X, y: TabularEncoding.fit(np.where(X > 1, np.inf, X), y, task="classification"),
     "X"),
    (lambda X, y: TabularEncoding.fit(X, np.full(len(y), np.nan), task="regression"), "y"),
    (lambda X, y: TabularEncoding.fit(X, np.zeros(len(y)), task="classification"), "y"),
    (lambda X, y: fit_hopular(X, y, task="classification", config={"epochs": 1}), "config"),
    (lambda X, y: fit_hopular(X[:1], y[:1], task="regression"), "at least 2 rows"),
    (lambda X, y: fit_hopular(X, y, task="classification", seed=-1), "seed"),
])
def test_bad_input_is_refused_naming_the_parameter(call, name: str) -> None:
    X, y = _table()
    if name == "at least 2 rows":
        y = np.array([0.5])
    with pytest.raises((ValueError, TypeError), match=name):
        call(X, y)


def test_mask_features() -> None:
    cats = (0, 0, 3, 0, 2)  # three features, one categorical, a categorical target
    rng = np.random.default_rng(0)
    n = 4000
    values = np.column_stack([rng.standard_normal((n, 2)), rng.integers(0, 3, n),
                              rng.standard_normal(n), rng.integers(0, 2, n)]).astype(float)
    missing = rng.random((n, 5)) < 0.05
    inputs, masked, selected = mask_features(values, missing, cats, rate=0.5, seed=3)
    assert masked[:, -1].all()  # the target is always masked in the input
    np.testing.assert_array_equal(selected[:, -1], ~missing[:, -1])  # ... and in the loss
    assert (masked[missing]).all() and not selected[:, :-1][missing[:, :-1]].any()
    assert (inputs[masked] == 0.0).all()
    feat = selected[:, :-1]
    assert abs(feat.sum() / (~missing[:, :-1]).sum() - 0.5) < 0.02
    frac = masked[:, :-1][feat].mean()
    assert abs(frac - MASK_SPLIT[0]) < 0.02
    changed = feat & ~masked[:, :-1] & (inputs[:, :-1] != values[:, :-1])
    assert abs(changed.sum() / feat.sum() - MASK_SPLIT[1] * (1 - 1 / 3 / 4)) < 0.02
    # unselected entries are presented as they are; replaced categories are valid codes
    keep = ~masked & ~selected
    np.testing.assert_array_equal(inputs[keep], values[keep])
    assert set(np.unique(inputs[:, 2])) <= {0.0, 1.0, 2.0}
    # seeded
    again = mask_features(values, missing, cats, rate=0.5, seed=3)
    for a, b in zip(again, (inputs, masked, selected), strict=True):
        np.testing.assert_array_equal(a, b)
    none = mask_features(values, missing, cats, rate=0.0, seed=3)
    assert not none[2][:, :-1].any() and not none[1][:, :-1][~missing[:, :-1]].any()
    # the authors' scheme: every entry selected, 2.5 % masked, 17.5 % replaced
    _, m, sel = mask_features(values, missing, cats, rate=1.0, mask_fraction=0.025,
                              replace_fraction=0.175, seed=4)
    np.testing.assert_array_equal(sel, ~missing)
    assert abs(m[:, :-1][~missing[:, :-1]].mean() - 0.025) < 0.01
    with pytest.raises(ValueError, match="rate"):
        mask_features(values, missing, cats, rate=2.0, seed=0)
    with pytest.raises(ValueError, match="replace_fraction"):
        mask_features(values, missing, cats, rate=0.5, mask_fraction=0.9,
                      replace_fraction=0.2, seed=0)
    with pytest.raises(ValueError, match="shape"):
        mask_features(values[:, :3], missing, cats, rate=0.1, seed=0)
    with pytest.raises(ValueError, match="values"):
        mask_features("x", missing, cats, rate=0.1, seed=0)
    with pytest.raises(ValueError, match="missing"):
        mask_features(values, missing.astype(int), cats, rate=0.1, seed=0)
    with pytest.raises(ValueError, match=r"categories\[1\]"):
        mask_features(values, missing, (0, -1, 3, 0, 2), rate=0.1, seed=0)


def test_column_description(torch) -> None:
    from assoc.modern.hopular import check_categories, output_sizes

    assert check_categories([0, 3, np.int64(2)]) == (0, 3, 2)
    assert output_sizes((0, 3, 0, 2)) == (1, 3, 1, 2)
    for cats, name in (((0,), "at least one feature"), ((0, 1, 2), r"categories\[1\]"),
                       ((0, -2), r"categories\[1\]"), ("ab", "categories"),
                       ((0, 2.5), r"categories\[1\]"), (3, "categories")):
        with pytest.raises(ValueError, match=name):
            check_categories(cats)


def test_schedules() -> None:
    total = 100
    lrs = [_lr(s, total, 1e-3, 0.05) for s in range(total)]
    assert lrs[0] == pytest.approx(2e-4) and max(lrs) == pytest.approx(1e-3)
    assert np.all(np.diff(lrs[5:]) <= 0) and lrs[-1] < 1e-5
    w = [_feature_weight(s, total, 1.0, 0.0) for s in range(total)]
    assert w[0] == 1.0 and w[-1] == pytest.approx(0.0, abs=1e-15) and np.all(np.diff(w) <= 0)
    assert _feature_weight(0, 1, 0.7, 0.2) == pytest.approx(0.7)


# -- the architecture ------------------------------------------------------------------------
def _tiny(torch, dropout: float = 0.0, **kw):
    from assoc.modern.hopular import Hopular

    opts = dict(feature_size=4, num_heads=2, hidden_size=2, num_blocks=1, input_dropout=dropout,
                lookup_dropout=dropout, output_dropout=dropout, seed=1, dtype=torch.float64)
    return Hopular((0, 3, 0, 2), **{**opts, **kw})


def _batch(torch):
    v = torch.tensor([[0.3, 2.0, 1.0, 1.0], [-1.2, 0.0, 0.5, 0.0], [0.1, 1.0, 2.0, 1.0],
                      [0.9, 1.0, -0.4, 0.0]], dtype=torch.float64)
    masked = torch.zeros(v.shape, dtype=torch.bool)
    masked[:, -1] = True
    return v, masked


def test_shapes_and_split(torch) -> None:
    from assoc.modern.hopular import HopularBlock, output_sizes

    model = _tiny(torch, num_blocks=2)
    v, masked = _batch(torch)
    out = model(v[:2], masked[:2], v)
    assert out.shape == (2, sum(output_sizes((0, 3, 0, 2)))) == (2, 7)
    assert [tuple(p.shape) for p in model.split(out)] == [(2,), (2, 3), (2,), (2, 2)]
    assert len(model.blocks) == 2
    block = HopularBlock(3, 4, 2, 2, 1.0, 0.0, seed=0, dtype=torch.float64)
    xi = torch.zeros(5, 3, 4, dtype=torch.float64)
    assert block(xi, torch.ones(7, 3, 4, dtype=torch.float64), xi).shape == (5, 3, 4)


def test_bad_architecture_input_is_refused(torch) -> None:
    from assoc.modern.hopular import Hopular
    for kw, name in ((dict(num_blocks=0), "num_blocks"), (dict(feature_size=0), "feature_size"),
                     (dict(lookup_dropout=1.2), "lookup_dropout"), (dict(scaling=0), "scaling"),
                     (dict(input_dropout=-0.1), "input_dropout")):
        with pytest.raises(ValueError, match=name):
            Hopular((0, 2), **kw)
    model = _tiny(torch)
    v, masked = _batch(torch)
    bad = v.clone()
    bad[1, 1] = 3.0  # a code outside the 3 classes of column 1
    with pytest.raises(ValueError, match=r"values\[:, 1\] is categorical"):
        model(bad, masked, v)
    with pytest.raises(ValueError, match="memory must have shape"):
        model(v, masked, v[:, :3])
    with pytest.raises(ValueError, match="memory_exclude"):
        model(v, masked, v, memory_exclude=torch.zeros(2, 2, dtype=torch.bool))
    with pytest.raises(ValueError, match="values and masked"):
        model(v[:, :3], masked[:, :3], v)


def test_masked_entries_are_ignored(torch) -> None:
    """A masked value (the target always) does not reach the model; unmasked ones do."""
    model = _tiny(torch)
    model.eval()
    v, masked = _batch(torch)
    masked[0, 0] = masked[1, 1] = True
    out = model(v, masked, v)
    w = v.clone()
    w[:, -1] = 1.0 - v[:, -1]  # other targets
    w[0, 0], w[1, 1] = 7.0, 2.0  # other masked values
    torch.testing.assert_close(model(w, masked, v), out, rtol=0, atol=0)
    w[2, 0] += 1.0  # an unmasked value
    assert not torch.allclose(model(w, masked, v)[2], out[2])


def test_a_sample_never_retrieves_itself(torch) -> None:
    """With memory_exclude, sample i's output does not depend on memory row i (no target
    leak during training); without it, it does."""
    model = _tiny(torch, num_blocks=2)
    model.train()  # dropout 0: deterministic
    v, masked = _batch(torch)
    ex = torch.eye(4, dtype=torch.bool)
    out = model(v, masked, v, memory_exclude=ex)
    mem = v.clone()
    mem[0, -1] = 1.0 - mem[0, -1]  # sample 0's target, seen only through the memory
    mem[0, 0] += 2.0
    changed = model(v, masked, mem, memory_exclude=ex)
    torch.testing.assert_close(changed[0], out[0], rtol=0, atol=1e-14)
    assert not torch.allclose(changed[1:], out[1:])
    free = model(v, masked, v)
    assert not torch.allclose(model(v, masked, mem)[0], free[0])


def test_loss_matches_its_definition(torch) -> None:
    from assoc.modern.hopular import hopular_loss

    F = torch.nn.functional
    cats = (0, 3, 0, 2)
    g = torch.Generator().manual_seed(0)
    out = torch.randn(4, 7, dtype=torch.float64, generator=g)
    v, _ = _batch(torch)
    sel = torch.zeros(4, 4, dtype=torch.bool)
    sel[:, -1] = True
    sel[0, 0] = sel[2, 0] = sel[1, 1] = True
    total, lf, lt = hopular_loss(cats, out, v, sel, 0.3)
    l0 = ((out[[0, 2], 0] - v[[0, 2], 0]) ** 2).mean()
    l1 = F.cross_entropy(out[[1], 1:4], v[[1], 1].long())
    want_t = F.cross_entropy(out[:, 5:7], v[:, 3].long())
    torch.testing.assert_close(lf, (l0 + l1) / 2)
    torch.testing.assert_close(lt, want_t)
    torch.testing.assert_close(total, 0.3 * lf + 0.7 * lt)
    sel[:, :-1] = False  # no selected feature: the target loss alone
    torch.testing.assert_close(hopular_loss(cats, out, v, sel, 0.3)[0], want_t)
    with pytest.raises(ValueError, match="feature_weight"):
        hopular_loss(cats, out, v, sel, 1.5)


def test_gradients_against_finite_differences(torch) -> None:
    """torch.autograd.gradcheck in float64: the block (inputs), the embedding (numerical
    values), the loss (outputs) and every parameter of a tiny model (fast mode)."""
    from torch.autograd import gradcheck
    from torch.func import functional_call

    from assoc.modern.hopular import HopularBlock, hopular_loss

    g = torch.Generator().manual_seed(0)

    def rand(*shape):
        return torch.randn(*shape, dtype=torch.float64, generator=g, requires_grad=True)

    block = HopularBlock(3, 4, 2, 2, 1.5, 0.0, seed=0, dtype=torch.float64)
    ex = torch.zeros(2, 5, dtype=torch.bool)
    ex[0, 0] = ex[1, 3] = True
    assert gradcheck(lambda a, b, c: block(a, b, c, ex), (rand(2, 3, 4), rand(5, 3, 4),
                                                          rand(2, 3, 4)))
    model = _tiny(torch)
    v, masked = _batch(torch)

    def through_numerical(x):  # the numerical columns 0 and 2 of the batch and memory
        w = v.clone()
        w[:, [0, 2]] = x
        return model(w, masked, w, memory_exclude=torch.eye(4, dtype=torch.bool))

    assert gradcheck(through_numerical, (v[:, [0, 2]].clone().requires_grad_(),))
    sel = torch.ones(4, 4, dtype=torch.bool)
    assert gradcheck(lambda o: torch.stack(hopular_loss((0, 3, 0, 2), o, v, sel, 0.4)),
                     (rand(4, 7),))
    names = [n for n, _ in model.named_parameters()]
    params = tuple(p.detach().clone().requires_grad_() for p in model.parameters())

    def through_parameters(*ps):
        return functional_call(model, dict(zip(names, ps, strict=True)), (v, masked, v),
                               {"memory_exclude": torch.eye(4, dtype=torch.bool)})

    assert gradcheck(through_parameters, params, fast_mode=True)


def test_adamw_is_algorithm_2(torch) -> None:
    """AdamW against Loshchilov & Hutter (2019), Algorithm 2, written in NumPy."""
    from assoc.modern.hopular_training import AdamW

    rng = np.random.default_rng(0)
    p0, grads = rng.standard_normal(5), rng.standard_normal((3, 5))
    p = torch.nn.Parameter(torch.tensor(p0))
    opt = AdamW([p], weight_decay=0.1)
    want, m, s = p0.copy(), np.zeros(5), np.zeros(5)
    for t, (g, lr) in enumerate(zip(grads, (1e-2, 5e-3, 2e-3), strict=True), start=1):
        p.grad = torch.tensor(g)
        opt.step(lr)
        want *= 1 - lr * 0.1
        m, s = 0.9 * m + 0.1 * g, 0.999 * s + 0.001 * g * g
        want -= lr * (m / (1 - 0.9**t)) / (np.sqrt(s / (1 - 0.999**t)) + 1e-8)
        assert p.grad is None
    np.testing.assert_allclose(p.detach().numpy(), want, rtol=1e-12)


# -- training --------------------------------------------------------------------------------
def test_training_learns_a_learnable_task(torch) -> None:
    X, y = _table(80)
    fit = fit_hopular(X[:60], y[:60], task="classification", categorical=[3],
                      config=HopularConfig(**TINY), seed=0)
    h = fit.history
    assert_valid_result(h)
    assert h.sizes["epoch"] == 40 and np.isfinite(h.loss).all()
    first, last = float(h.target_loss[:5].mean()), float(h.target_loss[-5:].mean())
    assert last < 0.5 * first  # the target loss falls
    assert float(h.feature_weight[0]) > 0.99 and float(h.feature_weight[-1]) < 0.01
    assert fit.score(X[60:], y[60:]) >= 0.8  # chance: 0.5
    proba = fit.predict_proba(X[60:])
    np.testing.assert_allclose(proba.sum(1), 1.0)
    assert set(fit.predict(X[60:])) <= {"pos", "neg"}
    with pytest.raises(ValueError, match="predict_proba"):
        fit_hopular(X[:20], X[:20, 0], task="regression",
                    config=HopularConfig(**{**TINY, "epochs": 1}), seed=0).predict_proba(X)


def test_regression_and_minibatches(torch) -> None:
    rng = np.random.default_rng(2)
    X = rng.standard_normal((50, 3))
    y = 10.0 + 5.0 * X[:, 0] - 2.0 * X[:, 1]
    cfg = HopularConfig(**{**TINY, "batch_size": 16, "epochs": 30, "lr": 1e-2,
                           "feature_loss_weight": (0.5, 0.0)})
    fit = fit_hopular(X[:40], y[:40], task="regression", config=cfg, seed=1)
    h = fit.history
    assert float(h.target_loss[-5:].mean()) < 0.5 * float(h.target_loss[:5].mean())
    assert fit.predict(X[40:]).shape == (10,)
    assert fit.score(X[40:], y[40:]) > 0.8  # R^2


def test_training_is_seeded(torch) -> None:
    X, y = _table(40)
    cfg = HopularConfig(**{**TINY, "epochs": 8})
    state = torch.get_rng_state()
    a = fit_hopular(X, y, task="classification", categorical=[3], config=cfg, seed=5)
    assert torch.equal(torch.get_rng_state(), state)  # the global generator is untouched
    b = fit_hopular(X, y, task="classification", categorical=[3], config=cfg, seed=5)
    c = fit_hopular(X, y, task="classification", categorical=[3], config=cfg, seed=6)
    np.testing.assert_array_equal(a.history.loss, b.history.loss)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert not np.array_equal(a.history.loss, c.history.loss)
    assert a.history.attrs["seeds"] == b.history.attrs["seeds"] != c.history.attrs["seeds"]
    assert math.isclose(a.history.attrs["hopular_lr"], TINY["lr"])
