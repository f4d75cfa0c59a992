"""Reproducible training runs (``tools/train.py --deterministic``).

mmengine's ``randomness=dict(seed=S, deterministic=True)`` seeds Python,
NumPy, torch and the data-loader workers, sets cuDNN to deterministic
algorithm selection and calls ``torch.use_deterministic_algorithms(True)``.
It leaves two gaps:

- **CPU threads.** It does not fix the number of intra-op threads. Two
  runs of the same config at 2 threads can end with different weights on
  some CPUs (intra-op kernels split and sum work by thread), while at one
  thread they are identical. A deterministic run here uses one thread.
- **CUDA.** ``torch.use_deterministic_algorithms(True)`` raises at the
  first backward through an op that has no deterministic CUDA kernel
  (``AdaptiveAvgPool2d``, used by every squeeze-excite block) and at the
  first cuBLAS matmul unless ``CUBLAS_WORKSPACE_CONFIG`` is set. A
  deterministic CUDA run here sets that variable and downgrades the error
  to a warning, so it trains; the ops that warn (and mmcv's own CUDA ops,
  which torch does not check) may still make it differ from run to run.
"""
import os

import torch
from mmengine.config import Config
from mmengine.logging import print_log

CUBLAS_WORKSPACE = ':4096:8'


def wants_determinism(cfg: Config) -> bool:
    """Whether ``cfg`` asks for a deterministic run."""
    return bool((cfg.get('randomness') or {}).get('deterministic'))


def request_determinism(cfg: Config, seed=None) -> None:
    """Ask for a deterministic run in ``cfg``: ``randomness.deterministic``
    and a fixed seed (``seed``, else the config's, else 0)."""
    randomness = dict(cfg.get('randomness') or {})
    if seed is not None:
        randomness['seed'] = seed
    elif randomness.get('seed') is None:
        randomness['seed'] = 0
    randomness['deterministic'] = True
    cfg.randomness = randomness


def pin_threads_and_cublas() -> None:
    """One intra-op CPU thread, and cuBLAS's deterministic workspace.
    Call before the runner is built (cuBLAS reads the variable once)."""
    os.environ.setdefault('CUBLAS_WORKSPACE_CONFIG', CUBLAS_WORKSPACE)
    torch.set_num_threads(1)


def relax_cuda_checks() -> None:
    """After mmengine's ``set_random_seed``: on CUDA, warn instead of
    stopping at ops without a deterministic kernel."""
    if torch.cuda.is_available():
        torch.use_deterministic_algorithms(True, warn_only=True)
        print_log('deterministic run on CUDA: ops without a deterministic '
                  'kernel warn; such a run may still differ from run to run',
                  logger='current')


def describe() -> str:
    """What the current process does for determinism (logged by train)."""
    return (f'deterministic run: {torch.get_num_threads()} intra-op thread, '
            f'deterministic algorithms '
            f'{"on" if torch.are_deterministic_algorithms_enabled() else "off"}'
            f', cuDNN deterministic {torch.backends.cudnn.deterministic}')
