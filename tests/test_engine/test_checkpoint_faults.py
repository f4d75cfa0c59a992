"""Faults around checkpoints, through tools/train.py: a damaged last
checkpoint, a kill and a full disk in the middle of a save. Each test ends
by checking that nothing was lost and that --resume finishes the run."""
import shutil
import signal
import textwrap

import pytest

from ghost_det.engine.runner import checkpoint_problem
from tests._demo_helpers import tiny_config, tiny_dataset
from tests._helpers import DAMAGE, REASON
from tests._resume_runs import (
    KILL_AFTER,
    config,
    final_weights,
    finish,
    max_difference,
    resume_data,
    start,
)

pytestmark = pytest.mark.slow


def run(cfg, work_dir, *extra, check=True):
    proc = start(cfg, work_dir, *extra)
    if check:
        return finish(proc)
    out, _ = proc.communicate(timeout=900)
    return proc.returncode, out


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    return resume_data(tmp_path_factory)


@pytest.fixture(scope='module')
def two_epochs(tmp_path_factory):
    """A tiny RetinaNet trained two epochs: epoch_1.pth, epoch_2.pth and
    last_checkpoint -> epoch_2.pth, as the demo leaves them."""
    tmp = tmp_path_factory.mktemp('faults')
    cfg = tiny_config(tmp, tiny_dataset(tmp / 'data', num_train=8,
                                        num_val=2), max_epochs=2,
                      val_interval=10)
    run(cfg, tmp / 'work')
    return cfg, tmp / 'work'


@pytest.mark.parametrize('damage', sorted(DAMAGE))
def test_damaged_last_checkpoint_resumes_from_the_one_before(
        two_epochs, tmp_path, damage):
    cfg, trained = two_epochs
    work_dir = tmp_path / 'work'
    shutil.copytree(trained, work_dir)
    (work_dir / 'last_checkpoint').write_text(str(work_dir / 'epoch_2.pth'))
    DAMAGE[damage](work_dir / 'epoch_2.pth')
    damaged = (work_dir / 'epoch_2.pth').read_bytes()
    first = (work_dir / 'epoch_1.pth').read_bytes()
    # all checkpoints kept, to see that the resume touched none
    out = run(cfg, work_dir, '--resume', '--cfg-options',
              'train_cfg.max_epochs=3',
              'default_hooks.checkpoint.max_keep_ckpts=-1')
    named = [line for line in out.splitlines()
             if f'{work_dir}/epoch_2.pth is damaged' in line]
    assert len(named) == 1 and REASON[damage] in named[0]
    assert 'resumed epoch: 1' in out
    # nothing lost: the damaged file kept, the one before untouched, and
    # the run finished
    assert (work_dir / 'epoch_2.pth.damaged').read_bytes() == damaged
    assert (work_dir / 'epoch_1.pth').read_bytes() == first
    for step in (2, 3):
        assert checkpoint_problem(str(work_dir / f'epoch_{step}.pth')) is None


def test_damaged_resume_path_stops_and_lists_readable_ones(two_epochs,
                                                           tmp_path):
    cfg, trained = two_epochs
    work_dir = tmp_path / 'work'
    shutil.copytree(trained, work_dir)
    DAMAGE['truncated'](work_dir / 'epoch_2.pth')
    code, out = run(cfg, work_dir, '--resume', str(work_dir / 'epoch_2.pth'),
                    check=False)
    assert code != 0
    assert f'cannot resume from {work_dir}/epoch_2.pth: it is truncated' in out
    assert f'Readable checkpoints: {work_dir}/epoch_1.pth' in out
    assert 'Epoch(train)' not in out


def faulty(cfg, nth: int, fault: str):
    path = cfg.with_name(f'{cfg.stem}_{fault}.py')
    path.write_text(textwrap.dedent(f'''
    _base_ = {str(cfg)!r}
    custom_imports = dict(imports=['ghost_det', 'tests._kill_hooks'],
                          allow_failed_imports=False)
    custom_hooks = _base_.custom_hooks + [
        dict(type='FaultInCheckpointWrite', nth={nth}, fault={fault!r})]
    '''))
    return path


def test_full_disk_during_a_save_fails_clearly_and_keeps_the_others(
        two_epochs, tmp_path):
    cfg, _ = two_epochs
    work_dir = tmp_path / 'work'
    code, out = run(faulty(cfg, 2, 'full'), work_dir, check=False)
    assert code != 0
    assert f'could not write {work_dir}/epoch_2.pth: the disk is full' in out
    assert 'is intact' in out
    assert checkpoint_problem(str(work_dir / 'epoch_1.pth')) is None
    assert not (work_dir / 'epoch_2.pth').exists()
    assert not list(work_dir.glob('.*.tmp'))
    assert (work_dir / 'last_checkpoint').read_text().endswith('epoch_1.pth')
    out = run(cfg, work_dir, '--resume')
    assert 'resumed epoch: 1' in out
    assert checkpoint_problem(str(work_dir / 'epoch_2.pth')) is None


def test_kill_during_a_save_leaves_no_partial_checkpoint_and_resumes_exactly(
        tmp_path, data):
    """SIGKILL with half of iter_9.pth written: no file under that name,
    last_checkpoint still names iter_6.pth, and the resumed run ends with
    the weights of an uninterrupted one (--deterministic)."""
    cfg = config(tmp_path, data, 'ExactResumeEpochBasedTrainLoop', True)
    whole = start(cfg, tmp_path / 'whole')
    killed_dir = tmp_path / 'killed'
    code, out = run(faulty(cfg, 3, 'kill'), killed_dir, check=False)
    assert code == -signal.SIGKILL, out[-3000:]
    assert not (killed_dir / f'iter_{KILL_AFTER + 3}.pth').exists()
    assert list(killed_dir.glob(f'.iter_{KILL_AFTER + 3}.pth.*.tmp'))
    assert (killed_dir / 'last_checkpoint').read_text().endswith(
        f'iter_{KILL_AFTER}.pth')
    finish(whole)
    resumed = run(cfg, killed_dir, '--resume')
    assert f'resumed epoch: 1, iter: {KILL_AFTER}' in resumed
    diff = max_difference(final_weights(tmp_path / 'whole'),
                          final_weights(killed_dir))
    assert diff == 0, diff
