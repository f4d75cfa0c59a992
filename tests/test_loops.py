"""A training process killed with SIGKILL in the middle of an epoch and
resumed with --resume ends with the weights of an uninterrupted run."""
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch

from ._demo_helpers import ROOT, tiny_config, tiny_dataset

ITERS_PER_EPOCH, EPOCHS = 4, 3  # 16 images, batch 4


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    return tiny_dataset(tmp_path_factory.mktemp('resume') / 'data',
                        num_train=16, num_val=4)


def config(tmp_path: Path, data: Path, loop: str, random_state: bool) -> Path:
    """Shuffled batches, random flips, a checkpoint every 3 iterations."""
    base = tiny_config(tmp_path, data, max_epochs=EPOCHS, val_interval=10)
    hooks = "[dict(type='FiniteLossHook')" + (
        ", dict(type='RandomStateHook')]" if random_state else ']')
    text = f'''
    _base_ = {str(base)!r}
    train_pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations', with_bbox=True),
        dict(type='Resize', scale=(128, 128), keep_ratio=True),
        dict(type='RandomFlip', prob=0.5),
        dict(type='PackDetInputs')
    ]
    train_dataloader = dict(
        sampler=dict(type='DefaultSampler', shuffle=True),
        dataset=dict(pipeline=train_pipeline))
    train_cfg = dict(type={loop!r}, val_interval=10)
    default_hooks = dict(checkpoint=dict(
        _delete_=True, type='CheckpointHook', interval=3, by_epoch=False))
    custom_hooks = {hooks}
    randomness = dict(seed=0, deterministic=True)
    '''
    path = tmp_path / f'resume_{loop}_{random_state}.py'
    path.write_text(textwrap.dedent(text))
    return path


def train(cfg: Path, work_dir: Path, *extra) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, 'tools/train.py', str(cfg), '--work-dir',
         str(work_dir), *extra], cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)


def finish(proc: subprocess.Popen) -> str:
    out, _ = proc.communicate(timeout=900)
    assert proc.returncode == 0, out[-3000:]
    return out


def kill_after_checkpoint(proc: subprocess.Popen, work_dir: Path,
                          name: str) -> None:
    """SIGKILL once last_checkpoint names ``name`` (mid-epoch)."""
    marker = work_dir / 'last_checkpoint'
    deadline = time.time() + 600
    while time.time() < deadline and proc.poll() is None:
        if marker.is_file() and marker.read_text().strip().endswith(name):
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
            return
        time.sleep(0.02)
    raise AssertionError(f'{name} never became the last checkpoint')


def final_weights(work_dir: Path) -> dict:
    last = work_dir / f'iter_{ITERS_PER_EPOCH * EPOCHS}.pth'
    return torch.load(last, map_location='cpu',
                      weights_only=True)['state_dict']


def max_difference(a: dict, b: dict) -> float:
    return max((a[k].float() - b[k].float()).abs().max().item() for k in a)


def killed_and_resumed(tmp_path, data, loop, random_state):
    cfg = config(tmp_path, data, loop, random_state)
    whole = finish(train(cfg, tmp_path / 'whole'))
    proc = train(cfg, tmp_path / 'killed')
    kill_after_checkpoint(proc, tmp_path / 'killed', 'iter_6.pth')
    assert proc.returncode == -signal.SIGKILL
    assert not (tmp_path / 'killed' / 'iter_9.pth').exists()
    resumed = finish(train(cfg, tmp_path / 'killed', '--resume'))
    return whole, resumed, max_difference(
        final_weights(tmp_path / 'whole'), final_weights(tmp_path / 'killed'))


def test_sigkill_mid_epoch_then_resume_ends_with_the_same_weights(
        tmp_path, data):
    _, resumed, diff = killed_and_resumed(
        tmp_path, data, 'ExactResumeEpochBasedTrainLoop', True)
    assert 'resumed epoch: 1, iter: 6' in resumed
    assert 'skipping their batches' in resumed
    print(f'exact resume: max abs weight difference {diff:.3g}')
    assert diff <= 1e-6, diff


def test_mmengine_loop_alone_does_not_resume_exactly(tmp_path, data):
    """The same kill under mmengine's EpochBasedTrainLoop, without the random
    state: the resumed run trains on other batches and draws other flips."""
    _, _, diff = killed_and_resumed(tmp_path, data, 'EpochBasedTrainLoop',
                                    False)
    print(f"mmengine's loop: max abs weight difference {diff:.3g}")
    assert diff > 1e-4, diff
