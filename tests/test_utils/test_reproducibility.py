"""What a deterministic run asks mmengine for, and what it sets itself.
(Two deterministic training processes ending with equal weights:
tests/test_engine/test_loops.py.)"""
import subprocess
import sys

import pytest
from mmengine.config import Config

from ghost_det.utils.reproducibility import (
    request_determinism,
    wants_determinism,
)


def test_request_keeps_the_configs_seed_or_takes_zero_or_the_given_one():
    cfg = Config(dict(model=dict()))
    assert not wants_determinism(cfg)
    request_determinism(cfg)
    assert cfg.randomness == dict(seed=0, deterministic=True)
    assert wants_determinism(cfg)
    cfg = Config(dict(randomness=dict(seed=7, diff_rank_seed=True)))
    request_determinism(cfg)
    assert cfg.randomness == dict(seed=7, diff_rank_seed=True,
                                  deterministic=True)
    request_determinism(cfg, seed=3)
    assert cfg.randomness.seed == 3


@pytest.mark.slow  # starts a process
def test_pinning_leaves_one_intra_op_thread_and_sets_cublas_workspace():
    code = ('import os, torch\n'
            'from ghost_det.utils.reproducibility import '
            'pin_threads_and_cublas\n'
            'pin_threads_and_cublas()\n'
            'print(torch.get_num_threads(), '
            'os.environ["CUBLAS_WORKSPACE_CONFIG"])\n')
    env_free = {'PATH': '/usr/bin:/bin'}
    out = subprocess.run([sys.executable, '-c', code], env=env_free,
                         capture_output=True, text=True, check=True).stdout
    assert out.split() == ['1', ':4096:8']
