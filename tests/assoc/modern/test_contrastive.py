"""InfoNCE, InfoLOOB and the CLOOB loss (assoc.modern.contrastive, Fuerst et al. 2022), their
torch versions (assoc.modern.contrastive_torch: equal to the NumPy specification in float64,
gradients against finite differences, training), and the numerical checks of the paper's
claims (assoc.modern.cloob_checks)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

import assoc.modern as am
from assoc.backend import get_namespace, to_numpy
from assoc.dataset import assert_valid_result
from assoc.modern import cloob_checks as cc
from assoc.modern.contrastive import (
    cloob_loss,
    info_loob,
    info_nce,
    infoloob_bound,
    infonce_bound,
    loob_terms,
    nce_terms,
)

TORCH_REASON = "PyTorch is optional (pip install torch); the torch versions are skipped"


def _unit(a: np.ndarray) -> np.ndarray:
    return a / np.linalg.norm(a, axis=-1, keepdims=True)


def _batch(seed: int, N: int = 7, d: int = 5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = _unit(rng.normal(size=(N, d)))
    return x, _unit(x + 0.7 * rng.normal(size=(N, d)))


# --------------------------------------------------------------------------------------
# known values (hand-computed, exact up to rounding: rel 1e-14)
# --------------------------------------------------------------------------------------
# x = I, y = [[0.6, 0.8], [0, 1]], tau = 0.5: S = x y^T / tau = [[1.2, 0], [1.6, 2]]
X2, Y2, TAU2 = np.eye(2), np.array([[0.6, 0.8], [0.0, 1.0]]), 0.5
NCE_X = 0.5 * ((-1.2 + math.log(math.exp(1.2) + 1.0))
               + (-2.0 + math.log(math.exp(1.6) + math.exp(2.0))))  # rows
NCE_Y = 0.5 * ((-1.2 + math.log(math.exp(1.2) + math.exp(1.6)))
               + (-2.0 + math.log(1.0 + math.exp(2.0))))  # columns
LOOB_X = 0.5 * ((-1.2 + 0.0) + (-2.0 + 1.6))  # the only negative of row 0 is S_01 = 0
LOOB_Y = 0.5 * ((-1.2 + 1.6) + (-2.0 + 0.0))


@pytest.mark.parametrize(("anchor", "nce", "loob"), [
    ("x", NCE_X, LOOB_X), ("y", NCE_Y, LOOB_Y), ("both", NCE_X + NCE_Y, LOOB_X + LOOB_Y)])
def test_hand_computed_2x2(anchor: str, nce: float, loob: float) -> None:
    assert float(info_nce(X2, Y2, TAU2, anchor=anchor)) == pytest.approx(nce, rel=1e-14)
    assert float(info_loob(X2, Y2, TAU2, anchor=anchor)) == pytest.approx(loob, rel=1e-14)


def test_bounds_are_the_losses_with_the_paper_constants() -> None:
    """Eqs. (1)-(2): I_NCE = log N - L_NCE(anchor y), I_LOOB = log(N-1) - L_LOOB(anchor y)."""
    x, y = _batch(0)
    S = x @ y.T / 0.2
    assert float(infonce_bound(S)) == pytest.approx(
        math.log(7) - float(info_nce(x, y, 0.2, anchor="y")), rel=1e-13)
    assert float(infoloob_bound(S)) == pytest.approx(
        math.log(6) - float(info_loob(x, y, 0.2, anchor="y")), rel=1e-13)
    # leading axes are batches; a batch of scores equals the loop
    Ss = np.stack([S, 2 * S, -S])
    np.testing.assert_allclose(infoloob_bound(Ss), [float(infoloob_bound(s)) for s in Ss],
                               rtol=1e-14)
    assert infonce_bound(Ss).shape == (3,)


def test_identities_and_symmetries() -> None:
    x, y = _batch(1)
    S = x @ y.T / 0.1
    # per anchor: l_NCE = log(1 + exp(l_LOOB)) (the positive added to the denominator)
    np.testing.assert_allclose(nce_terms(S, np), np.log1p(np.exp(loob_terms(S, np))),
                               rtol=1e-13)
    assert float(info_nce(x, y, 0.1)) > float(info_loob(x, y, 0.1))
    assert float(info_nce(x, y, 0.1)) >= 0.0
    # swapping the modalities swaps the anchor sides; permuting the pairs changes nothing
    for f in (info_nce, info_loob):
        assert float(f(x, y, 0.1, anchor="x")) == pytest.approx(
            float(f(y, x, 0.1, anchor="y")), rel=1e-13)
        p = np.random.default_rng(2).permutation(7)
        assert float(f(x[p], y[p], 0.1)) == pytest.approx(float(f(x, y, 0.1)), rel=1e-13)
    # S = 0: InfoNCE = log N per side, InfoLOOB = log(N - 1)
    z = np.zeros((5, 3))
    assert float(info_nce(z, z, 1.0)) == pytest.approx(2 * math.log(5), rel=1e-14)
    assert float(info_loob(z, z, 1.0)) == pytest.approx(2 * math.log(4), rel=1e-14)


def test_cloob_loss_is_infoloob_of_the_retrievals() -> None:
    """Eq. (3) with Eqs. (4)-(5), assembled from the public retrieval and losses."""
    x, y = _batch(3, N=9, d=6)
    tau, beta = 1 / 30, 8.0
    Ux, Uy = am.cloob_retrieval(x, x, beta), am.cloob_retrieval(y, x, beta)
    Vx, Vy = am.cloob_retrieval(x, y, beta), am.cloob_retrieval(y, y, beta)
    ref = info_loob(Ux, Uy, tau, anchor="x") + info_loob(Vx, Vy, tau, anchor="y")
    assert float(cloob_loss(x, y, tau, beta)) == pytest.approx(float(ref), rel=1e-13)
    assert float(cloob_loss(x, y, tau, beta, U=x, V=y)) == float(cloob_loss(x, y, tau, beta))
    ref = info_nce(Ux, Uy, tau, anchor="x") + info_nce(Vx, Vy, tau, anchor="y")
    assert float(cloob_loss(x, y, tau, beta, objective="infonce")) == pytest.approx(
        float(ref), rel=1e-13)
    # other memories: M stored embeddings, any M >= 1
    rng = np.random.default_rng(4)
    U, V = _unit(rng.normal(size=(20, 6))), _unit(rng.normal(size=(3, 6)))
    Ux, Uy = am.cloob_retrieval(x, U, beta), am.cloob_retrieval(y, U, beta)
    Vx, Vy = am.cloob_retrieval(x, V, beta), am.cloob_retrieval(y, V, beta)
    ref = info_loob(Ux, Uy, tau, anchor="x") + info_loob(Vx, Vy, tau, anchor="y")
    assert float(cloob_loss(x, y, tau, beta, U=U, V=V)) == pytest.approx(float(ref), rel=1e-13)


def test_dtypes_and_backend(backend: str) -> None:
    x, y = _batch(5)
    xp = get_namespace(backend=backend)
    xd, yd = xp.asarray(x), xp.asarray(y)
    for f in (info_nce, info_loob):
        out = f(xd, yd, 0.1)
        assert get_namespace(out) is xp
        assert float(to_numpy(out)) == pytest.approx(float(f(x, y, 0.1)), rel=1e-12)
    assert float(to_numpy(cloob_loss(xd, yd, 0.1, 8.0))) == pytest.approx(
        float(cloob_loss(x, y, 0.1, 8.0)), rel=1e-12)
    assert info_nce(xd.astype(xp.float32), yd.astype(xp.float32), 0.1).dtype == xp.float32
    assert float(info_loob([[1, 0], [0, 1]], [[1, 0], [0, 1]], 1.0, anchor="x")) == -1.0


@pytest.mark.parametrize(("call", "match"), [
    (lambda: info_nce(np.ones(3), np.ones(3), 1.0), "x must be a 2-d array"),
    (lambda: info_nce(np.ones((3, 2)), np.ones((4, 2)), 1.0), "y must have the shape of x"),
    (lambda: info_nce(np.ones((3, 0)), np.ones((3, 0)), 1.0), "x must have dimension d >= 1"),
    (lambda: info_nce([[np.nan, 1.0]], [[1.0, 1.0]], 1.0), r"x must be finite"),
    (lambda: info_nce([[1.0, 1.0]], [[np.inf, 1.0]], 1.0), r"y must be finite"),
    (lambda: info_nce(X2, Y2, 0.0), "tau must be > 0"),
    (lambda: info_nce(X2, Y2, -1.0), "tau must be > 0"),
    (lambda: info_nce(X2, Y2, np.nan), "tau must be > 0"),
    (lambda: info_nce(X2, Y2, "1"), "tau must be a real number"),
    (lambda: info_nce(X2, Y2, [1.0, 2.0]), "tau must be a scalar"),
    (lambda: info_nce(X2, Y2, 1.0, anchor="z"), "anchor must be one of"),
    (lambda: info_nce("ab", Y2, 1.0), "x must be a 2-d array of real embeddings"),
    (lambda: info_loob(np.ones((1, 2)), np.ones((1, 2)), 1.0), "at least 2 embeddings"),
    (lambda: cloob_loss(X2, Y2, 1.0, 0.0), "beta must be > 0"),
    (lambda: cloob_loss(X2, Y2, 1.0, 1.0, U=np.ones((3, 5))), "U must have the embedding "
                                                              "dimension d = 2"),
    (lambda: cloob_loss(X2, Y2, 1.0, 1.0, V=np.ones((0, 2))), "V must hold at least 1"),
    (lambda: cloob_loss(X2, Y2, 1.0, 1.0, objective="nce"), "objective must be one of"),
    (lambda: infonce_bound(np.ones((2, 3))), r"scores must have shape \(..., N, N\)"),
    (lambda: infoloob_bound(np.ones((1, 1))), "scores must be at least 2 x 2"),
    (lambda: infoloob_bound([[0.0, np.nan], [0.0, 0.0]]), "scores must be finite"),
])
def test_bad_input_names_the_parameter(call, match: str) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        call()


# --------------------------------------------------------------------------------------
# the paper's claims, checked numerically (assoc.modern.cloob_checks)
# --------------------------------------------------------------------------------------
def test_gaussian_critic_is_the_log_density_ratio() -> None:
    from scipy.stats import multivariate_normal as mvn

    rng, rho, d = np.random.default_rng(6), 0.8, 3
    x, y = rng.normal(size=(4, d)), rng.normal(size=(4, d))
    s = cc.gaussian_critic(x, y, rho)
    v = 1 - rho**2
    ref = np.array([[mvn(rho * xi, v * np.eye(d)).logpdf(yj) - mvn(np.zeros(d)).logpdf(yj)
                     for yj in y] for xi in x])
    np.testing.assert_allclose(s, ref, rtol=1e-12, atol=1e-12)


def test_infonce_is_capped_at_log_N_and_infoloob_is_an_upper_bound() -> None:
    """Eqs. (1)-(2) with the optimal critic: InfoNCE <= log N in every batch, and near MI
    while MI << log N; InfoLOOB >= MI in expectation (z-score against the standard error,
    one-sided, threshold -3 for 4 comparisons), above log N when MI is large."""
    ds = cc.gaussian_mi_bounds([0.5, 6.0], [8, 32], d=10, batches=300, seed=7)
    assert_valid_result(ds)
    assert (ds.infonce <= ds.log_N + 1e-12).all()
    z = (ds.infoloob - ds.mi) / ds.infoloob_se
    assert (z > -3).all(), z.values
    small = ds.sel(mi=0.5)
    assert (abs(small.infonce - 0.5) < 0.1).all() and (abs(small.infoloob - 0.5) < 0.15).all()
    big = ds.sel(mi=6.0)
    assert (big.infoloob > big.log_N + 1.0).all() and (big.infonce < big.log_N).all()
    assert float(big.sel(N=8).infonce) > 0.9 * math.log(8)  # saturated at the cap
    z = (ds.critic_mean - ds.mi) / (ds.infoloob_sd / math.sqrt(300))  # unbiased: E = MI
    assert (abs(z) < 4).all()


def test_infonce_gradient_saturates_and_infoloob_does_not() -> None:
    ds = cc.infonce_saturation(np.linspace(-1, 1, 9), [1 / 30, 0.5], N=16, seed=8)
    assert_valid_result(ds)
    np.testing.assert_allclose(ds.grad_infonce_fd, ds.grad_infonce, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ds.grad_infoloob_fd, ds.grad_infoloob, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ds.grad_infoloob, -2 / ds.tau.broadcast_like(ds.grad_infoloob),
                               rtol=1e-15)
    ratio = ds.grad_ratio.sel(tau=1 / 30)
    assert (np.diff(ratio) <= 1e-12).all()  # the factor mean(1 - p) falls as a grows
    assert float(ratio.sel(similarity=1.0)) < 1e-3 and float(ratio.sel(similarity=-1.0)) > 0.999
    np.testing.assert_allclose(ds.grad_ratio, 1 - ds.p_pos, rtol=1e-12, atol=1e-12)


def test_retrieval_jacobian_is_beta_times_the_weighted_covariance() -> None:
    """d/dxi [X^T softmax(beta X xi)] = beta X^T (diag p - p p^T) X (central differences)."""
    rng = np.random.default_rng(9)
    X, xi, beta, h = _unit(rng.normal(size=(12, 5))), rng.normal(size=5) * 0.3, 3.0, 1e-6
    J = np.stack([(am.update(xi + h * e, X, beta) - am.update(xi - h * e, X, beta)) / (2 * h)
                  for e in np.eye(5)], axis=1)
    p = am.softmax(X @ xi, beta)
    np.testing.assert_allclose(J, beta * X.T @ (np.diag(p) - np.outer(p, p)) @ X,
                               rtol=1e-7, atol=1e-9)


def test_covariance_enrichment() -> None:
    """Small beta concentrates the variance in the planted subspace (effective rank down,
    signal fraction up); very large beta retrieves every stored embedding itself."""
    ds = cc.covariance_enrichment([0.5, 2.0, 1e4], N=64, d=16, k=3, samples=3, seed=10)
    assert_valid_result(ds)
    low = ds.sel(beta=0.5)
    assert (low.effective_rank < 0.6 * ds.effective_rank_stored).all()
    assert (low.signal_fraction > ds.signal_fraction_stored + 0.2).all()
    assert (ds.effective_rank.sel(beta=2.0) > low.effective_rank).all()
    # the y-embeddings are not stored: their retrievals stay enriched where U_x = x already
    assert (ds.effective_rank_cross < 0.8 * ds.effective_rank_stored).sel(beta=2.0).all()
    assert (ds.signal_fraction_cross.sel(beta=2.0) > ds.signal_fraction.sel(beta=2.0)).all()
    high = ds.sel(beta=1e4)
    np.testing.assert_allclose(high.effective_rank, ds.effective_rank_stored, rtol=1e-9)
    np.testing.assert_allclose(high.spectrum.sum("rank"), 1.0, rtol=1e-12)


def test_check_datasets_round_trip(tmp_path) -> None:
    ds = cc.covariance_enrichment([1.0], N=16, d=4, k=1, samples=1, seed=0)
    ds.to_netcdf(tmp_path / "c.nc")
    with xr.open_dataset(tmp_path / "c.nc") as back:
        xr.testing.assert_identical(back.load(), ds)


@pytest.mark.parametrize(("call", "match"), [
    (lambda: cc.gaussian_mi_bounds([0.0], [8]), "mi must be > 0"),
    (lambda: cc.gaussian_mi_bounds([1.0], [1]), "N must be an integer >= 2"),
    (lambda: cc.gaussian_mi_bounds([1.0], [8], batches=1), "batches must be an integer >= 2"),
    (lambda: cc.infonce_saturation([1.5], [0.1]), r"similarity must be in \[-1.0, 1.0\]"),
    (lambda: cc.infonce_saturation([0.5], [0.0]), "tau must be > 0"),
    (lambda: cc.infonce_saturation([0.5], [0.1], autograd="yes"), "autograd must be True"),
    (lambda: cc.covariance_enrichment([1.0], d=4, k=4), "k must be an integer in"),
    (lambda: cc.covariance_enrichment([-1.0]), "beta must be > 0"),
    (lambda: cc.covariance_enrichment([1.0], noise=-0.1), "noise must be >= 0"),
])
def test_checks_refuse_bad_input(call, match: str) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        call()


# --------------------------------------------------------------------------------------
# torch: the same values, gradients, training
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def torch_mods():
    """torch and the module under test, on one intra-op thread: these tiny tensors gain
    nothing from more, and on shared cores torch's spinning threads slow them down 40x."""
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    from assoc.modern import contrastive_torch as ct

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield torch, ct
    torch.set_num_threads(threads)


def test_torch_equals_numpy_in_float64(torch_mods) -> None:
    torch, ct = torch_mods
    x, y = _batch(11, N=10, d=6)
    U, V = _unit(np.random.default_rng(12).normal(size=(2, 15, 6)))
    xt, yt = torch.tensor(x), torch.tensor(y)
    for name in ("info_nce", "info_loob"):
        for anchor in ("both", "x", "y"):
            for tau in (1 / 30, 0.5):
                ref = float(globals()[name](x, y, tau, anchor=anchor))
                out = getattr(ct, name)(xt, yt, tau, anchor=anchor)
                assert out.dtype == torch.float64
                assert abs(float(out) - ref) <= 1e-12 * max(1.0, abs(ref))
    for objective in ("infoloob", "infonce"):
        for mem in ({}, {"U": U, "V": V}):
            ref = float(cloob_loss(x, y, 0.05, 14.3, objective=objective, **mem))
            out = float(ct.cloob_loss(xt, yt, 0.05, 14.3, objective=objective,
                                      **{k: torch.tensor(v) for k, v in mem.items()}))
            assert abs(out - ref) <= 1e-12 * max(1.0, abs(ref))
    S = np.random.default_rng(13).normal(size=(4, 9, 9)) * 3
    np.testing.assert_allclose(ct.infonce_bound(torch.tensor(S)).numpy(), infonce_bound(S),
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(ct.infoloob_bound(torch.tensor(S)).numpy(), infoloob_bound(S),
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(ct.cloob_retrieval(xt, torch.tensor(U), 8.0).numpy(),
                               am.cloob_retrieval(x, U, 8.0), rtol=0, atol=1e-12)
    # NumPy input is accepted; float32 stays float32
    assert float(ct.info_nce(x, y, 0.1)) == pytest.approx(float(info_nce(x, y, 0.1)), abs=1e-12)
    assert ct.info_loob(xt.float(), yt.float(), 0.1).dtype == torch.float32


def test_torch_gradients_against_finite_differences(torch_mods) -> None:
    torch, ct = torch_mods
    x, y = _batch(14, N=5, d=3)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.tensor(y, requires_grad=True)
    tau = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    beta = torch.tensor(4.0, dtype=torch.float64, requires_grad=True)

    def check(f, inputs) -> bool:
        return torch.autograd.gradcheck(f, inputs, fast_mode=True)

    assert check(lambda a, b, t: ct.info_nce(a, b, t), (xt, yt, tau))
    assert check(lambda a, b, t: ct.info_loob(a, b, t, anchor="x"), (xt, yt, tau))
    assert check(lambda a, b, t, s: ct.cloob_loss(a, b, t, s), (xt, yt, tau, beta))
    assert check(lambda a, b: ct.cloob_loss(a, b, 0.3, 4.0, objective="infonce"), (xt, yt))
    S = torch.tensor(np.random.default_rng(15).normal(size=(2, 4, 4)), requires_grad=True)
    assert check(lambda s: ct.infoloob_bound(s), (S,))


def test_torch_infonce_gradient_is_1_minus_p_times_infoloob(torch_mods) -> None:
    """The saturation factor: for each anchor x_i, grad InfoNCE = (1 - p_i) grad InfoLOOB."""
    torch, ct = torch_mods
    x, y = _batch(16, N=8, d=4)
    tau = 0.1
    grads = []
    for f in (ct.info_nce, ct.info_loob):
        xt = torch.tensor(x, requires_grad=True)
        f(xt, torch.tensor(y), tau, anchor="x").backward()
        grads.append(xt.grad.numpy())
    p = np.exp(-nce_terms(x @ y.T / tau, np))
    np.testing.assert_allclose(grads[0], (1 - p)[:, None] * grads[1], rtol=1e-10, atol=1e-14)


def test_saturation_check_with_autograd(torch_mods) -> None:
    ds = cc.infonce_saturation([-0.5, 0.5, 0.9], [0.1], N=8, autograd=True, seed=17)
    np.testing.assert_allclose(ds.grad_infonce_autograd, ds.grad_infonce, rtol=1e-12)
    np.testing.assert_allclose(ds.grad_infoloob_autograd, ds.grad_infoloob, rtol=1e-12)


def test_torch_bad_input(torch_mods) -> None:
    torch, ct = torch_mods
    x = torch.eye(3, dtype=torch.float64)
    with pytest.raises(ValueError, match="tau must be a scalar > 0"):
        ct.info_nce(x, x, torch.tensor([0.1, 0.2]))
    with pytest.raises(ValueError, match="tau must be > 0"):
        ct.info_nce(x, x, torch.tensor(-0.1))
    with pytest.raises(ValueError, match="beta must be > 0"):
        ct.cloob_loss(x, x, 0.1, 0.0)
    with pytest.raises(ValueError, match=r"x must be finite .*x\[1, 2\]"):
        ct.info_loob(x.clone().index_put_((torch.tensor(1), torch.tensor(2)),
                                          torch.tensor(math.nan, dtype=torch.float64)), x, 0.1)
    with pytest.raises(ValueError, match="y must have the shape of x"):
        ct.info_nce(x, x[:2], 0.1)
    with pytest.raises(ValueError, match="at least 2 embeddings"):
        ct.cloob_loss(x[:1], x[:1], 0.1, 1.0)
    with pytest.raises(TypeError, match="x must be"):
        ct.info_nce(torch.ones(3, 2, dtype=torch.bool), x[:, :2], 0.1)
    with pytest.raises(ValueError, match="anchor must be one of"):
        ct.info_loob(x, x, 0.1, anchor="xy")
    with pytest.raises(ValueError, match="U must have the embedding dimension"):
        ct.cloob_loss(x, x, 0.1, 1.0, U=torch.ones(4, 2))


def test_cloob_training_lowers_the_loss_and_aligns_the_views(torch_mods) -> None:
    """A learnable task: two noisy linear views of a shared latent; linear encoders trained
    with the CLOOB loss (and CLIP's) for 150 full-batch steps: the loss falls and the
    held-out cross-view top-1 retrieval rises well above chance."""
    torch, ct = torch_mods
    rng = np.random.default_rng(18)
    z = rng.normal(size=(192, 4))
    A, B = rng.normal(size=(4, 12)), rng.normal(size=(4, 12))
    va = torch.tensor(z @ A + 0.1 * rng.normal(size=(192, 12)))
    vb = torch.tensor(z @ B + 0.1 * rng.normal(size=(192, 12)))
    tr, te = slice(0, 128), slice(128, 192)

    def top1(Wa, Wb) -> float:
        with torch.no_grad():
            S = _t_unit(torch, va[te] @ Wa) @ _t_unit(torch, vb[te] @ Wb).T
        return float((S.argmax(1) == torch.arange(64)).double().mean())

    for loss_fn in (lambda a, b: ct.cloob_loss(a, b, 0.1, 8.0),
                    lambda a, b: ct.info_nce(a, b, 0.1)):
        init = np.random.default_rng(19).normal(size=(2, 12, 8)) / np.sqrt(12)
        Wa = torch.tensor(init[0], requires_grad=True)
        Wb = torch.tensor(init[1], requires_grad=True)
        before = top1(Wa, Wb)
        losses = []
        for _ in range(150):
            loss = loss_fn(_t_unit(torch, va[tr] @ Wa), _t_unit(torch, vb[tr] @ Wb))
            Wa.grad = Wb.grad = None
            loss.backward()
            with torch.no_grad():
                Wa -= 0.05 * Wa.grad
                Wb -= 0.05 * Wb.grad
            losses.append(float(loss.detach()))
        assert losses[-1] < losses[0] - 1.0, (losses[0], losses[-1])
        assert top1(Wa, Wb) > max(0.5, before + 0.3), (before, top1(Wa, Wb))


def _t_unit(torch, a):
    return torch.nn.functional.normalize(a, dim=1)
