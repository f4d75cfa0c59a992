"""The resume check: damaged checkpoints are named and set aside, the
newest readable one is used, and nothing readable means a clear stop."""
import logging

import pytest
import torch

from ghost_det.engine.runner import (
    ResumeError,
    checkpoint_problem,
    pick_resume_checkpoint,
)
from tests._helpers import DAMAGE, REASON


def training_checkpoint(path, step: int):
    torch.save({'meta': {'epoch': step, 'iter': 4 * step},
                'state_dict': {'w': torch.full((64, 64), float(step))},
                'optimizer': {'state': {}, 'param_groups': []}}, path)
    return path


@pytest.mark.parametrize('damage', sorted(DAMAGE))
def test_each_damage_is_told_apart(tmp_path, damage):
    path = training_checkpoint(tmp_path / 'epoch_2.pth', 2)
    assert checkpoint_problem(str(path)) is None
    DAMAGE[damage](path)
    assert REASON[damage] in checkpoint_problem(str(path))


def test_a_checkpoint_without_optimizer_is_not_resumable(tmp_path):
    path = tmp_path / 'best.pth'
    torch.save({'meta': {}, 'state_dict': {}}, path)
    assert 'lacks optimizer' in checkpoint_problem(str(path))


def work_dir_with(tmp_path, damaged_steps=(2, )):
    for step in (1, 2):
        path = training_checkpoint(tmp_path / f'epoch_{step}.pth', step)
        if step in damaged_steps:
            DAMAGE['truncated'](path)
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_2.pth'))
    return tmp_path


def test_damaged_last_checkpoint_falls_back_to_the_newest_readable(
        tmp_path, caplog):
    work_dir = work_dir_with(tmp_path)
    damaged = (work_dir / 'epoch_2.pth').read_bytes()
    logger = logging.getLogger('resume-test')
    with caplog.at_level(logging.WARNING, logger='resume-test'):
        picked = pick_resume_checkpoint(str(work_dir), logger=logger)
    assert picked == str(work_dir / 'epoch_1.pth')
    lines = [r.getMessage() for r in caplog.records]
    assert any(f'{work_dir}/epoch_2.pth is damaged: it is truncated' in line
               for line in lines)
    # kept, byte for byte, under a name the resumed run does not reuse
    assert (work_dir / 'epoch_2.pth.damaged').read_bytes() == damaged
    assert not (work_dir / 'epoch_2.pth').exists()


def test_nothing_readable_stops_and_lists_what_it_tried(tmp_path):
    work_dir = work_dir_with(tmp_path, damaged_steps=(1, 2))
    with pytest.raises(ResumeError) as err:
        pick_resume_checkpoint(str(work_dir))
    message = str(err.value)
    assert 'no readable checkpoint' in message
    assert 'epoch_2.pth: it is truncated' in message
    assert 'epoch_1.pth: it is truncated' in message
    assert (work_dir / 'epoch_1.pth').exists()  # nothing moved or deleted


def test_a_damaged_requested_checkpoint_stops_and_lists_alternatives(
        tmp_path):
    work_dir = work_dir_with(tmp_path)
    with pytest.raises(ResumeError) as err:
        pick_resume_checkpoint(str(work_dir), str(work_dir / 'epoch_2.pth'))
    message = str(err.value)
    assert f'cannot resume from {work_dir}/epoch_2.pth: it is truncated' \
        in message
    assert f'Readable checkpoints: {work_dir}/epoch_1.pth' in message
    assert (work_dir / 'epoch_2.pth').exists()


def test_a_first_run_has_nothing_to_resume(tmp_path):
    assert pick_resume_checkpoint(str(tmp_path)) is None
