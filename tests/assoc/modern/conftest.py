"""Fixtures of the assoc.modern tests: a ``backend`` fixture (numpy, and cupy when present)."""

from __future__ import annotations

import pytest

from assoc.backend import has_cupy


@pytest.fixture(
    params=[
        "numpy",
        pytest.param(
            "cupy",
            marks=[pytest.mark.gpu, pytest.mark.skipif(not has_cupy(), reason="needs CuPy")],
        ),
    ]
)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param
