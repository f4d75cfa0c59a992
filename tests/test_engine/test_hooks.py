"""FiniteLossHook: a NaN loss stops training before the optimizer step.
DatasetCheckHook: a broken dataset stops training before it starts."""
import json
import math

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner
from PIL import Image

from ghost_det.engine.hooks import DatasetError, FiniteLossHook, NonFiniteLossError
from tests._demo_helpers import tiny_config, tiny_dataset


class PoisonLossAt(Hook):
    """Make loss_cls NaN from the given (1-based) iteration on."""

    def __init__(self, iteration: int) -> None:
        self.iteration = iteration

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter + 1 != self.iteration:
            return
        model = runner.model
        loss = model.loss

        def poisoned(*args, **kwargs):
            losses = loss(*args, **kwargs)
            losses['loss_cls'] = [t * float('nan') for t in losses[
                'loss_cls']] if isinstance(losses['loss_cls'], list) else (
                    losses['loss_cls'] * float('nan'))
            return losses

        model.loss = poisoned


def test_configs_carry_the_hook(tmp_path):
    cfg = Config.fromfile(str(tiny_config(tmp_path, tmp_path / 'data')))
    assert dict(type='FiniteLossHook') in cfg.custom_hooks


@pytest.mark.slow
def test_nan_loss_stops_before_the_step_and_keeps_the_last_checkpoint(
        tmp_path):
    data = tiny_dataset(tmp_path / 'data', num_train=16, num_val=4)
    cfg = Config.fromfile(str(tiny_config(tmp_path, data, max_epochs=2)))
    cfg.work_dir = str(tmp_path / 'work')
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=2,
                                        by_epoch=False)
    cfg.train_cfg.val_interval = 10
    runner = Runner.from_cfg(cfg)
    runner.register_hook(PoisonLossAt(5))
    with pytest.raises(NonFiniteLossError) as info:
        runner.train()
    message = str(info.value)
    assert 'non-finite loss at iteration 5 (epoch 2)' in message
    assert 'loss_cls = nan' in message
    assert 'loss_bbox' not in message  # only the bad term is named
    assert 'iter_4.pth' in message and 'tools/misc/check_dataset.py' in message
    last = (tmp_path / 'work' / 'last_checkpoint').read_text().strip()
    assert last.endswith('iter_4.pth')
    assert not (tmp_path / 'work' / 'iter_6.pth').exists()
    # no optimizer step ran on the NaN loss: every weight is finite
    for name, p in runner.model.named_parameters():
        assert torch.isfinite(p).all(), name
    state = torch.load(last, map_location='cpu', weights_only=True)
    assert all(torch.isfinite(v).all() for v in state['state_dict'].values()
               if v.is_floating_point())


def test_message_without_checkpoint(tmp_path):
    class FakeRunner:
        work_dir, iter, epoch = str(tmp_path), 0, 0

    text = FiniteLossHook()._message(FakeRunner, {'loss_bbox': math.inf})
    assert 'iteration 1 (epoch 1): loss_bbox = inf' in text
    assert 'No checkpoint was written before it' in text


@pytest.mark.slow
def test_broken_dataset_stops_before_the_first_iteration(tmp_path):
    data = tiny_dataset(tmp_path / 'data', num_train=8, num_val=4)
    ann_path = data / 'annotations/instances_train.json'
    train = json.loads(ann_path.read_text())
    ann = train['annotations'][0]
    ann['bbox'] = [3.0, 3.0, -4.0, 8.0]
    (data / 'train' / train['images'][-1]['file_name']).unlink()
    ann_path.write_text(json.dumps(train))
    cfg = Config.fromfile(str(tiny_config(tmp_path, data, max_epochs=1)))
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    with pytest.raises(DatasetError) as info:
        runner.train()
    message = str(info.value)
    assert 'found 2 error(s); training did not start' in message
    assert f"annotation {ann['id']} (image {ann['image_id']})" in message
    assert 'has zero or negative area' in message
    assert f"{train['images'][-1]['file_name']}: missing" in message
    assert 'tools/misc/check_dataset.py' in message
    assert runner.iter == 0


@pytest.mark.slow
def test_what_coco_contains_trains(tmp_path):
    """Crowd boxes, images without objects and grayscale images: warnings
    for the check, and training runs through them."""
    data = tiny_dataset(tmp_path / 'data', num_train=8, num_val=4)
    ann_path = data / 'annotations/instances_train.json'
    train = json.loads(ann_path.read_text())
    images = train['images']
    train['annotations'][0]['iscrowd'] = 1
    train['annotations'] = [a for a in train['annotations']
                            if a['image_id'] != images[1]['id']]
    gray = data / 'train' / images[2]['file_name']
    Image.open(gray).convert('L').save(gray)
    ann_path.write_text(json.dumps(train))
    cfg = Config.fromfile(str(tiny_config(tmp_path, data, max_epochs=1)))
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2  # 8 images, batch 4
