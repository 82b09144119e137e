import numpy as np
import pytest

from assoc.patterns import dataset_entropy, diluted, noisy_examples, unbiased


def test_unbiased_values_and_seed():
    xi = unbiased(50, 400, seed=1)
    assert xi.dtype == np.int8 and xi.shape == (50, 400)
    assert set(np.unique(xi)) == {-1, 1}
    np.testing.assert_array_equal(xi, unbiased(50, 400, seed=1))
    assert abs(xi.mean()) < 5 / np.sqrt(xi.size)  # 5 sigma


def test_diluted_fraction():
    d = 0.3
    xi = diluted(40, 2000, d, seed=2)
    frac0 = (xi == 0).mean()
    assert abs(frac0 - d) < 5 * np.sqrt(d * (1 - d) / xi.size)
    assert set(np.unique(xi)) <= {-1, 0, 1}


def test_noisy_examples_quality():
    xi = unbiased(5, 3000, seed=3)
    r, M = 0.6, 7
    eta = noisy_examples(xi, r, M, seed=4)
    assert eta.shape == (5, 7, 3000)
    corr = (eta * xi[:, None, :]).mean()
    n = eta.size
    assert abs(corr - r) < 5 * np.sqrt((1 - r * r) / n)
    assert dataset_entropy(r, M) == pytest.approx((1 - r * r) / (M * r * r))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: diluted(3, 10, 1.0), r"d must be in \[0.0, 1.0\)"),
        (lambda: diluted(3, 10, -0.1), "d must be"),
        (lambda: unbiased(-1, 10), "K must be"),
        (lambda: unbiased(2, 1.5), "N must be an integer"),
        (lambda: noisy_examples(unbiased(2, 5), 0.0, 3), r"r must be in \(0.0, 1.0\]"),
        (lambda: noisy_examples(unbiased(2, 5), 0.5, 0), "M must be"),
        (lambda: diluted(3, 10, float("nan")), "not NaN"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
