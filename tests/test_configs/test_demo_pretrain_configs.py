"""The demo's pretraining stage (configs/demo/pretrain/): each backbone's
classifier trains on the synthetic crops through tools/train.py, and its
checkpoint initialises that backbone in the detection configs, every
tensor."""
import subprocess
import sys
import textwrap

import pytest
import torch

from ghost_det.datasets.synthetic_cls import (
    SyntheticClsConfig,
    ensure_synthetic_cls,
)
from tests._demo_helpers import ROOT

BACKBONES = {
    'ghostnet-1.1x': 'configs/ghostnet/retinanet_ghostnet-1.1x_fpn_1x_coco.py',
    'mobilenetv2-1.0x':
    'configs/baselines/retinanet_mobilenetv2-1.0x_fpn_1x_coco.py',
    'mobilenetv3-large-1.0x':
    'configs/baselines/retinanet_mobilenetv3-large-1.0x_fpn_1x_coco.py',
}


@pytest.mark.slow  # trains through tools/train.py
@pytest.mark.parametrize('backbone', sorted(BACKBONES))
def test_pretraining_trains_and_initialises_the_detector(tmp_path, backbone):
    from mmdet.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    data = tmp_path / 'cls'
    ensure_synthetic_cls(data, SyntheticClsConfig(train_per_class=1,
                                                  val_per_class=1))
    config = tmp_path / 'tiny.py'
    base = ROOT / f'configs/demo/pretrain/{backbone}_synthetic-cls.py'
    config.write_text(textwrap.dedent(f'''
        _base_ = {str(base)!r}
        loader = dict(batch_size=8, num_workers=0, persistent_workers=False,
                      dataset=dict(data_root={str(data)!r}))
        train_dataloader = loader
        val_dataloader = loader
        test_dataloader = loader
        train_cfg = dict(max_epochs=1, val_interval=1)
        default_hooks = dict(logger=dict(interval=1))
        '''))
    work_dir = tmp_path / 'work'
    result = subprocess.run(
        [sys.executable, 'tools/train.py', str(config), '--work-dir',
         str(work_dir)], cwd=ROOT, capture_output=True, text=True)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    assert 'Epoch(train) [1][5/5]' in out and 'accuracy/top1' in out
    checkpoint = work_dir / 'epoch_1.pth'
    saved = torch.load(checkpoint, map_location='cpu',
                       weights_only=True)['state_dict']

    cfg = Config.fromfile(str(ROOT / BACKBONES[backbone]))
    cfg.model.backbone.init_cfg.update(checkpoint=str(checkpoint),
                                       prefix='backbone.')
    init_default_scope('mmdet')
    detector = MODELS.build(cfg.model)
    detector.init_weights()
    weights = detector.backbone.state_dict()
    assert len(weights) > 100
    for key, value in weights.items():
        assert torch.equal(value, saved['backbone.' + key]), key
