"""Training processes for the resume tests (tests/test_engine/): a tiny
RetinaNet run by ``tools/train.py --deterministic``, killed, resumed, and
its final weights compared."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import torch

from tests._demo_helpers import ROOT, tiny_config, tiny_dataset

ITERS_PER_EPOCH, EPOCHS = 4, 3  # 16 images, batch 4
KILL_AFTER = 6  # iterations: in the middle of epoch 2

def resume_data(tmp_path_factory) -> Path:
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
    '''
    path = tmp_path / f'resume_{loop}_{random_state}.py'
    path.write_text(textwrap.dedent(text))
    return path


def killed_config(cfg: Path) -> Path:
    """``cfg`` whose process SIGKILLs itself once iter_6.pth is written."""
    path = cfg.with_name(cfg.stem + '_killed.py')
    path.write_text(textwrap.dedent(f'''
    _base_ = {str(cfg)!r}
    custom_imports = dict(imports=['ghost_det', 'tests._kill_hooks'],
                          allow_failed_imports=False)
    custom_hooks = _base_.custom_hooks + [
        dict(type='SigkillAfterIteration', iteration={KILL_AFTER})]
    '''))
    return path


def start(cfg: Path, work_dir: Path, *extra) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get('PYTHONPATH')])))
    return subprocess.Popen(
        [sys.executable, 'tools/train.py', str(cfg), '--work-dir',
         str(work_dir), '--deterministic', *extra], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(proc: subprocess.Popen) -> str:
    out, _ = proc.communicate(timeout=900)
    assert proc.returncode == 0, out[-3000:]
    return out


def final_weights(work_dir: Path) -> dict:
    last = work_dir / f'iter_{ITERS_PER_EPOCH * EPOCHS}.pth'
    return torch.load(last, map_location='cpu',
                      weights_only=True)['state_dict']


def max_difference(a: dict, b: dict) -> float:
    assert a.keys() == b.keys()
    return max((a[k].float() - b[k].float()).abs().max().item() for k in a)
