#!/usr/bin/env bash
# The on-GPU checks of the CUDA engine, in one short run (about 5 minutes on an H100/H200):
# install with the gpu extra, run the tests marked gpu, then the GPU throughput benchmark
# (which writes benchmarks/results/gpu_throughput_<device>.{txt,json}).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check -e '.[gpu,test]'
python -c "from assoc.backend import has_cupy; assert has_cupy(), 'no CUDA device with CuPy'"
python -m pytest -m gpu -q tests/montecarlo/test_engine_cuda.py
python benchmarks/gpu_throughput.py "$@"
