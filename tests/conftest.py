"""Shared test configuration: deterministic hypothesis profile, backend fixture, gpu skip,
and a temporary disk cache of the symbolic engine (never the user's own)."""

from __future__ import annotations

import os
import shutil
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from assoc.backend import has_cupy

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev", deadline=None, max_examples=100)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

BACKENDS = ["numpy"] + (["cupy"] if has_cupy() else [])


_THEORY_CACHE = "ASSOC_THEORY_CACHE"  # theory.symbolic.cache.ENV_VAR
_made_cache_dir: list[str] = []


def pytest_configure(config):
    # before collection, so that nothing imported by a test module writes into ~/.cache
    if not os.environ.get(_THEORY_CACHE):
        d = tempfile.mkdtemp(prefix="assoc-theory-cache-")
        _made_cache_dir.append(d)
        os.environ[_THEORY_CACHE] = d


def pytest_unconfigure(config):
    for d in _made_cache_dir:
        if os.environ.get(_THEORY_CACHE) == d:
            del os.environ[_THEORY_CACHE]
        shutil.rmtree(d, ignore_errors=True)
    _made_cache_dir.clear()


def pytest_collection_modifyitems(config, items):
    if has_cupy():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device and cupy")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(params=BACKENDS)
def xp(request):
    """The array module of each available backend (numpy, and cupy with a GPU)."""
    if request.param == "numpy":
        return np
    import cupy

    return cupy
