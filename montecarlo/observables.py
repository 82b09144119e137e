"""Time-series statistics: means, integrated autocorrelation times, standard errors.

The integrated autocorrelation time uses Sokal's automatic window (Sokal 1997,
section 3): ``tau_int = 1/2 + sum_(t=1)^(W) rho(t)`` with the smallest window
``W >= c tau_int(W)``, ``c = 5``; the standard error of the mean of ``n``
correlated measurements is ``sqrt(2 tau_int var / n)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["autocorrelation", "integrated_time", "mean_and_error"]


def autocorrelation(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Normalised autocorrelation function along ``axis`` (FFT, zero-padded)."""
    x = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    n = x.shape[-1]
    d = x - x.mean(axis=-1, keepdims=True)
    nfft = 1 << (2 * n - 1).bit_length()
    f = np.fft.rfft(d, n=nfft, axis=-1)
    acf = np.fft.irfft(f * np.conj(f), n=nfft, axis=-1)[..., :n]
    c0 = acf[..., :1]
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(c0 > 0, acf / np.where(c0 > 0, c0, 1.0), 0.0)
    rho[..., 0] = 1.0
    return np.moveaxis(rho, -1, axis)


def integrated_time(x: np.ndarray, axis: int = -1, c: float = 5.0) -> np.ndarray:
    """Integrated autocorrelation time with Sokal's window, vectorised over other axes.

    A constant series has ``tau_int = 1/2`` (no correlation to estimate).
    """
    rho = np.moveaxis(autocorrelation(x, axis), axis, -1)
    taus = 2.0 * np.cumsum(rho, axis=-1) - 1.0  # 2 tau_int(W) for W = 0..n-1
    W = np.arange(rho.shape[-1])
    ok = W >= c * taus / 2.0
    first = np.where(ok.any(axis=-1), ok.argmax(axis=-1), rho.shape[-1] - 1)
    tau = np.take_along_axis(taus, first[..., None], axis=-1)[..., 0] / 2.0
    return np.maximum(tau, 0.5)


def mean_and_error(x: np.ndarray, axis: int = -1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, standard error ``sqrt(2 tau var / n)`` and ``tau_int`` along ``axis``."""
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[axis]
    tau = integrated_time(x, axis)
    var = x.var(axis=axis, ddof=1) if n > 1 else np.full(tau.shape, np.nan)
    return x.mean(axis=axis), np.sqrt(2.0 * tau * var / n), tau
