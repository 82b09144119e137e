"""Accuracy of the Gaussian averages in theory._numerics.quadrature against scipy.integrate.quad."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.integrate import IntegrationWarning, quad
from scipy.special import erf

from theory._numerics.quadrature import SWITCH, abs_mean, gauss_moments


def _sech2(x):
    e = np.exp(-2.0 * abs(x))
    return 4.0 * e / (1.0 + e) ** 2


def _ref(F, m, s, beta):
    with warnings.catch_warnings():
        # quad flags round-off on panels where the integrand is ~1e-17 of the total
        warnings.simplefilter("ignore", IntegrationWarning)
        return _ref_panels(F, m, s, beta)


def _ref_panels(F, m, s, beta):
    """E F(beta h), h ~ N(m, s^2), by quad on panels split at the kink h = 0.

    Near the kink the integral is taken in u = beta h (scale 1), elsewhere in h,
    so that quad resolves the step at every beta.
    """
    pdf = lambda h: np.exp(-0.5 * ((h - m) / s) ** 2) / (s * np.sqrt(2.0 * np.pi))  # noqa: E731
    lo, hi = m - 15.0 * s, m + 15.0 * s
    total = 0.0
    near = 30.0 / beta  # |h| < near: kink region, integrate in u
    for a, b in ((lo, -near), (near, hi)):
        a, b = max(a, lo), min(b, hi)
        if b > a:
            total += quad(
                lambda h: F(beta * h) * pdf(h), a, b, epsabs=1e-16, epsrel=1e-13, limit=400
            )[0]
    a, b = max(-near, lo), min(near, hi)
    if b > a:
        ua, ub = beta * a, beta * b
        pts = [u for u in (0.0,) if ua < u < ub]
        total += quad(
            lambda u: F(u) * pdf(u / beta) / beta,
            ua,
            ub,
            points=pts or None,
            epsabs=1e-15,
            epsrel=1e-13,
            limit=400,
        )[0]
    return total


BETAS = [0.5, 1.0, 10.0, 1e3]
M_VALUES = [0.0, 0.03, 0.4, 0.97, -0.6]
S_VALUES = [0.01, 0.2, 0.45, 1.3]


@pytest.mark.parametrize("beta", BETAS)
def test_moments_match_quad(beta):
    # tolerance 1e-11 absolute on O(1) quantities (A = E tanh, q = E tanh^2, L),
    # relative 1e-10 on Chat = beta E sech^2 and S4 = beta^2 E sech^4
    for m in M_VALUES:
        for s in S_VALUES:
            M = gauss_moments(m, s, beta, with_L=True)
            A = _ref(np.tanh, m, s, beta)
            Es2 = _ref(_sech2, m, s, beta)
            Es4 = _ref(lambda x: _sech2(x) ** 2, m, s, beta)
            Lr = _ref(lambda x: abs(x) + np.log1p(np.exp(-2.0 * abs(x))), m, s, beta) / beta
            assert abs(M.A - A) < 1e-11, (m, s, beta)
            assert abs(M.Chat - beta * Es2) < 1e-10 * max(1.0, beta * Es2), (m, s, beta)
            assert abs(M.S4 - beta**2 * Es4) < 1e-10 * max(1.0, beta**2 * Es4), (m, s, beta)
            assert abs(M.L - Lr) < 1e-11, (m, s, beta)
            assert abs(M.Q - (1.0 - Es2)) < 1e-11, (m, s, beta)


@pytest.mark.parametrize("beta", [1.0, 10.0, 1e3])
def test_derivatives_match_finite_differences(beta):
    # dChat/dm and dChat/dsigma against central differences of Chat (step 1e-5 of
    # the natural scale sigma; truncation ~1e-10 relative)
    for m in (0.0, 0.3, 0.9):
        for s in (0.2, 0.5):
            h = 1e-5 * s
            M = gauss_moments(m, s, beta)
            dm = (gauss_moments(m + h, s, beta).Chat - gauss_moments(m - h, s, beta).Chat) / (2 * h)
            ds = (gauss_moments(m, s + h, beta).Chat - gauss_moments(m, s - h, beta).Chat) / (2 * h)
            scale = (1.0 + abs(M.Chat)) / s
            assert abs(M.Chat_m - dm) < 1e-7 * scale
            assert abs(M.Chat_s - ds) < 1e-7 * scale
            # dA/dm = Chat and dA/dsigma = sigma dChat/dm (Gaussian integration by parts)
            dA = (gauss_moments(m, s + h, beta).A - gauss_moments(m, s - h, beta).A) / (2 * h)
            assert abs(s * M.Chat_m - dA) < 1e-7 * scale


def test_both_rules_agree_at_the_switch():
    # the Gauss-Hermite and kink rules meet at beta sigma = SWITCH: continuity to 1e-12
    for beta in (2.0, 50.0, 1e4):
        for m in (0.0, 0.5 / beta, 0.2):
            s = SWITCH / beta
            lo = gauss_moments(m, s * (1 - 1e-12), beta, with_L=True)
            hi = gauss_moments(m, s * (1 + 1e-12), beta, with_L=True)
            for name, a, b in zip(lo._fields, lo, hi, strict=True):
                # derivatives on their natural scale (1 + Chat) / sigma
                scale = (1.0 + abs(lo.Chat)) / s if name in ("Chat_m", "Chat_s") else 1.0
                assert abs(a - b) <= 1e-11 * max(scale, abs(a)), (beta, m, name)


def test_zero_temperature_closed_forms():
    m = np.array([0.0, 0.3, 0.97, -0.5])
    s = np.array([0.4, 0.2, 0.45, 1.0])
    M = gauss_moments(m, s, np.inf, with_L=True)
    y = m / (np.sqrt(2) * s)
    np.testing.assert_allclose(M.A, erf(y), rtol=0, atol=1e-15)
    np.testing.assert_allclose(M.Chat, np.sqrt(2 / np.pi) / s * np.exp(-y * y), rtol=1e-14)
    np.testing.assert_allclose(M.L, abs_mean(m, s), rtol=1e-14)
    assert np.all(np.isinf(M.S4))
    # T = 0 is the beta -> inf limit: corrections are O(1/beta^2) for A, Chat and L
    big = gauss_moments(m, s, 1e4, with_L=True)
    np.testing.assert_allclose(big.A, M.A, atol=1e-7)
    np.testing.assert_allclose(big.Chat, M.Chat, atol=1e-7)
    np.testing.assert_allclose(big.L, M.L, atol=1e-8)


def test_abs_mean():
    for m, s in ((0.3, 0.5), (-1.0, 0.2), (0.0, 2.0)):

        def integrand(z, m=m, s=s):
            return abs(m + s * z) * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)

        ref = quad(integrand, -12, 12, points=[-m / s], epsabs=1e-14)[0]
        assert abs(abs_mean(m, s) - ref) < 1e-12
    assert abs_mean(-0.7, 0.0) == 0.7
