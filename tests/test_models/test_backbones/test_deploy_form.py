"""``deploy=True`` builds what ``switch_to_deploy()`` makes, so deployed
checkpoints reload, in a backbone and through a detector config."""
import pytest
import torch
from mmdet.apis import init_detector
from mmengine.config import Config

from ghost_det import models
from tests._demo_helpers import ROOT
from tests._helpers import assert_close_relative, randomise_norms

FAMILY = [('GhostNet', 1.1), ('RepGhostNet', 1.11), ('GhostNetV2', 1.0),
          ('GhostNetV3', 1.0)]


@pytest.mark.parametrize('name,widen', FAMILY)
def test_deployed_weights_reload_into_deploy_true(name, widen):
    cls = getattr(models, name)
    model = randomise_norms(cls(widen_factor=widen))
    x = torch.randn(2, 3, 64, 96)
    with torch.no_grad():
        expected = model.eval()(x)
    model.switch_to_deploy()
    rebuilt = cls(widen_factor=widen, deploy=True)
    assert rebuilt.deploy
    assert rebuilt.state_dict().keys() == model.state_dict().keys()
    rebuilt.load_state_dict(model.state_dict())  # strict
    with torch.no_grad():
        got = rebuilt(x)
    assert len(got) == len(expected) == 4
    for a, b in zip(got, expected):
        assert_close_relative(a, b)
    # a training-form state dict does not fit the deployed form
    with pytest.raises(RuntimeError, match='Missing key|Unexpected key'):
        rebuilt.load_state_dict(cls(widen_factor=widen).state_dict())


def test_a_deploy_true_config_reloads_a_deployed_detector(tmp_path):
    config = ROOT / 'configs/ghostnet/retinanet_ghostnet-1.1x_fpn_1x_coco.py'
    cfg = Config.fromfile(config)
    cfg.model.backbone.init_cfg = None
    detector = init_detector(cfg, device='cpu')
    randomise_norms(detector.backbone)
    x = torch.randn(1, 3, 128, 160)
    with torch.no_grad():
        expected = detector.extract_feat(x)
    detector.backbone.switch_to_deploy()
    path = tmp_path / 'deployed.pth'
    torch.save({'state_dict': detector.state_dict()}, path)
    cfg.model.backbone.deploy = True
    reloaded = init_detector(cfg, str(path), device='cpu')
    assert reloaded.state_dict().keys() == detector.state_dict().keys()
    with torch.no_grad():
        got = reloaded.extract_feat(x)
    assert len(got) == len(expected) == 5
    for a, b in zip(got, expected):
        assert_close_relative(a, b)


def test_pretrained_init_of_the_deployed_form_says_what_to_do():
    model = models.GhostNet(deploy=True, init_cfg=dict(
        type='Pretrained', checkpoint='ghostnet.pth'))
    with pytest.raises(ValueError, match='set init_cfg=None'):
        model.init_weights()
