import numpy as np
import pytest

from montecarlo.observables import autocorrelation, integrated_time, mean_and_error


def _ar1(phi, n, chains, seed):
    rng = np.random.default_rng(seed)
    x = np.zeros((chains, n))
    e = rng.standard_normal((chains, n))
    for t in range(1, n):
        x[:, t] = phi * x[:, t - 1] + e[:, t]
    return x


def test_ar1_integrated_time():
    phi = 0.8
    x = _ar1(phi, 20_000, 8, 0)
    exact = (1 + phi) / (2 * (1 - phi))  # AR(1): tau_int = (1 + phi) / (2 (1 - phi))
    tau = integrated_time(x)
    # Sokal: relative error of tau ~ sqrt(2 (2W + 1) / n); 8 chains averaged, 4 sigma
    W = 5 * exact
    assert abs(tau.mean() - exact) < 4 * exact * np.sqrt(2 * (2 * W + 1) / 20_000) / np.sqrt(8)


def test_standard_error_is_calibrated():
    phi = 0.6
    x = _ar1(phi, 4000, 400, 1)
    mean, err, _ = mean_and_error(x)
    z = mean / err  # true mean is 0
    assert abs(z.std() - 1.0) < 0.12  # 400 chains: std of a unit std estimate ~ 0.035


def test_white_noise_and_constant():
    rng = np.random.default_rng(2)
    assert integrated_time(rng.standard_normal(5000)) == pytest.approx(0.5, abs=0.1)
    assert integrated_time(np.ones(100)) == 0.5
    rho = autocorrelation(rng.standard_normal((3, 64)))
    np.testing.assert_allclose(rho[:, 0], 1.0)
