"""deploy_model on whole detectors: predictions equal eager ones."""
import copy

import pytest
import torch
import torch.nn as nn
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample

from ghost_det.deploy import deploy_model, drop_unused_layers, fold_norms
from ghost_det.deploy.channel_layout import ConvFromParts, Gather
from ghost_det.models import GhostNet
from tests._helpers import (
    assert_close_relative,
    build_detector,
    first_fast,
    randomise_norms,
)


def predict(model: nn.Module, image: torch.Tensor):
    sample = DetDataSample(metainfo=dict(
        img_shape=image.shape[-2:], ori_shape=image.shape[-2:],
        scale_factor=(1., 1.), pad_shape=image.shape[-2:],
        batch_input_shape=image.shape[-2:]))
    with torch.no_grad():
        return model.predict(image[None], [sample])[0].pred_instances


@pytest.mark.parametrize('config', [
    'configs/ghostnet/retinanet_ghostnet-1.1x_fpn_1x_coco.py',
    pytest.param('configs/ghostnet/faster-rcnn_ghostnet-1.1x_fpn_1x_coco.py',
                 marks=pytest.mark.slow)])
@pytest.mark.parametrize('layout', first_fast('pad16', 'fold', 'pad1-split'))
def test_deployed_detector_predicts_the_same(config, layout):
    model = build_detector(config)
    # a head that scores boxes above the score threshold (initial heads
    # score everything below it)
    with torch.no_grad():
        if hasattr(model, 'roi_head'):
            model.roi_head.bbox_head.fc_cls.weight.normal_(std=0.5)
        else:
            model.bbox_head.retina_cls.bias.uniform_(-3, 0)
    image = torch.randn(3, 320, 416)
    expected = predict(model, image)
    deployed = deploy_model(copy.deepcopy(model), layout=layout)
    backbone = deployed.backbone
    assert backbone.deploy and len(backbone.blocks) == 9
    assert not any(isinstance(m, nn.BatchNorm2d) for m in deployed.modules())
    # relaid outputs feed the FPN directly: no gather op left
    assert not any(isinstance(m, Gather) for m in deployed.modules())
    folded = [m for m in deployed.neck.modules()
              if isinstance(m, ConvFromParts)]
    uses_extra = deployed.neck.add_extra_convs == 'on_input'
    assert len(folded) == (0 if layout == 'fold' else len(
        deployed.neck.lateral_convs) + uses_extra)
    got = predict(deployed, image)
    assert len(expected.scores) > 0
    assert len(got.scores) == len(expected.scores)
    assert_close_relative(got.scores, expected.scores)
    assert_close_relative(got.bboxes, expected.bboxes)
    assert torch.equal(got.labels, expected.labels)


def test_mobilenets_get_the_same_generic_rewrites():
    v2 = randomise_norms(MODELS.build(dict(type='MobileNetV2',
                                           out_indices=(1, 2, 4, 6))))
    v3 = randomise_norms(MODELS.build(dict(
        type='mmpretrain.MobileNetV3', arch='large',
        out_indices=(3, 6, 12, 15))))
    x = torch.randn(1, 3, 96, 96)
    for model, kept in ((v2, 7), (v3, 16)):
        expected = model(x)
        fold_norms(model)
        assert len(model.layers) == kept  # the unused last conv is gone
        assert not any(isinstance(m, nn.BatchNorm2d)
                       for m in model.modules())
        for a, b in zip(model(x), expected):
            assert_close_relative(a, b)


def test_drop_unused_layers_leaves_ghostnet_alone():
    model = GhostNet()
    drop_unused_layers(model)
    assert len(model.blocks) == 10 and not model.deploy
