"""Two training processes on CPU (gloo) through tools/dist_train.sh, the
script users run, and distributed evaluation through tools/dist_test.sh."""
import os
import pickle
import socket
import subprocess
import sys
import textwrap

import pytest
import torch

from tests._demo_helpers import ROOT, tiny_config, tiny_dataset

from .test_train_and_test_tools import logged_records

pytestmark = pytest.mark.slow  # starts the tools as processes


def free_port() -> str:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return str(s.getsockname()[1])


def run_script(*args) -> str:
    env = dict(os.environ, PYTHON=sys.executable, PORT=free_port(),
               OMP_NUM_THREADS='1')
    result = subprocess.run(['bash', *map(str, args)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=900)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-4000:]
    return out


def test_two_processes_train_alike_and_evaluate_like_one(tmp_path):
    data = tiny_dataset(tmp_path / 'data', num_train=8, num_val=4)
    base = tiny_config(tmp_path, data, max_epochs=1, batch_size=2)
    cfg = tmp_path / 'dist.py'
    cfg.write_text(textwrap.dedent(f'''
    _base_ = {str(base)!r}
    custom_imports = dict(imports=['ghost_det', 'tests._dist_hooks'],
                          allow_failed_imports=False)
    custom_hooks = [dict(type='FiniteLossHook'),
                    dict(type='RandomStateHook'),
                    dict(type='DumpRankWeights')]
    '''))
    work = tmp_path / 'work'
    run_script('tools/dist_train.sh', cfg, 2, '--work-dir', work)

    ranks = [torch.load(work / f'rank{r}.pth', weights_only=True)
             for r in (0, 1)]
    for rank in ranks:  # 8 images / (2 processes x 2 per batch)
        assert rank['world_size'] == 2 and rank['iterations'] == 2
        assert rank['wrapper'] == 'MMDistributedDataParallel'
    # gradients are averaged: every parameter is the same on both ranks
    # (BatchNorm running statistics are not: each rank tracks its own
    # batches, broadcast_buffers=False as in mmdet; checkpoints hold rank
    # 0's, and SyncBN, on GPUs, shares them)
    assert len(ranks[0]['params']) > 100
    for key, value in ranks[0]['params'].items():
        assert torch.equal(value, ranks[1]['params'][key]), key
    assert sorted(p.name for p in work.glob('*.pth')) == [
        'epoch_1.pth', 'rank0.pth', 'rank1.pth']  # one checkpoint

    checkpoint = work / 'epoch_1.pth'
    run_script('tools/dist_test.sh', cfg, checkpoint, 2, '--work-dir',
               tmp_path / 'dist_test', '--out', tmp_path / 'dist.pkl')
    single = subprocess.run(
        [sys.executable, 'tools/test.py', str(cfg), str(checkpoint),
         '--work-dir', str(tmp_path / 'test'), '--out',
         str(tmp_path / 'single.pkl')], cwd=ROOT, capture_output=True,
        text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert single.returncode == 0, single.stderr[-3000:]

    def metrics(folder):
        return [r for r in logged_records(folder, '*.json')
                if 'coco/bbox_mAP' in r][-1]

    dist, one = metrics(tmp_path / 'dist_test'), metrics(tmp_path / 'test')
    for key in ('coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/bbox_mAP_75'):
        assert dist[key] == one[key], key

    def predictions(path):
        results = pickle.loads(path.read_bytes())
        return {r['img_id']: r['pred_instances'] for r in results}

    dist_preds = predictions(tmp_path / 'dist.pkl')
    one_preds = predictions(tmp_path / 'single.pkl')
    assert sorted(dist_preds) == sorted(one_preds) and len(one_preds) == 4
    assert sum(len(p['scores']) for p in one_preds.values()) > 0
    for img_id, pred in one_preds.items():
        torch.testing.assert_close(dist_preds[img_id]['bboxes'],
                                   pred['bboxes'])
        torch.testing.assert_close(dist_preds[img_id]['scores'],
                                   pred['scores'])


def test_slurm_scripts_call_srun_like_mmdet(tmp_path):
    """A stand-in srun records what the scripts ask Slurm for."""
    fake = tmp_path / 'bin' / 'srun'
    fake.parent.mkdir()
    fake.write_text('#!/usr/bin/env bash\necho "$@" > "$SRUN_LOG"\n')
    fake.chmod(0o755)
    env = dict(os.environ, PATH=f'{fake.parent}:{os.environ["PATH"]}',
               SRUN_LOG=str(tmp_path / 'srun.log'), GPUS='16')
    for script, args, expect in (
            ('tools/slurm_train.sh', ['part', 'job', 'cfg.py', 'work',
                                      '--amp'],
             ['train.py cfg.py --work-dir=work --launcher=slurm --amp']),
            ('tools/slurm_test.sh', ['part', 'job', 'cfg.py', 'model.pth'],
             ['test.py cfg.py model.pth --launcher=slurm'])):
        subprocess.run(['bash', script, *args], cwd=ROOT, env=env,
                       check=True, capture_output=True)
        line = (tmp_path / 'srun.log').read_text()
        assert line.startswith('-p part --job-name=job --gres=gpu:8 '
                               '--ntasks=16 --ntasks-per-node=8 ')
        assert '--kill-on-bad-exit=1' in line
        for piece in expect:
            assert piece in line, line


def test_syncbn_without_gpus_stops_with_the_reason(tmp_path):
    """SyncBN is one line in a config; torch and mmcv run it on GPUs only,
    so a CPU launch stops at once and says what to change."""
    data = tiny_dataset(tmp_path / 'data', num_train=4, num_val=4)
    base = tiny_config(tmp_path, data, max_epochs=1, batch_size=2)
    cfg = tmp_path / 'syncbn.py'
    cfg.write_text(textwrap.dedent(f'''
    _base_ = {str(base)!r}
    model = dict(backbone=dict(norm_cfg=dict(type='SyncBN',
                                             requires_grad=True)))
    '''))
    env = dict(os.environ, PYTHON=sys.executable, PORT=free_port())
    result = subprocess.run(
        ['bash', 'tools/dist_train.sh', str(cfg), '2', '--work-dir',
         str(tmp_path / 'work')], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=600)
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert ('the config uses SyncBN, which torch and mmcv implement for '
            'GPUs only') in out
    assert not (tmp_path / 'work' / 'epoch_1.pth').exists()
