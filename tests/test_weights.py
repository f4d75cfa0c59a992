import pytest
import torch

from ghost_det.models import GhostNet
from ghost_det.weights import (
    convert_state_dict,
    infer_widen_factor,
    unwrap_state_dict,
)

from ._timm_reference import randomised_timm_ghostnet, timm_block_outputs


def backbone_part(converted):
    return {k[len('backbone.'):]: v for k, v in converted.items()
            if k.startswith('backbone.')}


@pytest.mark.parametrize('widen', [0.5, 1.0, 1.1, 1.3])
def test_every_stage_matches_timm(widen):
    reference = randomised_timm_ghostnet(widen)
    converted, unplaced = convert_state_dict(reference.state_dict())
    assert unplaced == []
    ours = GhostNet(widen_factor=widen, out_indices=tuple(range(10))).eval()
    result = ours.load_state_dict(backbone_part(converted), strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    x = torch.randn(2, 3, 96, 128)
    expected, _ = timm_block_outputs(reference, x)
    with torch.no_grad():
        got = ours(x)
    assert len(got) == len(expected) == 10
    for i, (a, b) in enumerate(zip(got, expected)):
        assert a.shape == b.shape, i
        assert b.abs().max() > 1e-3, 'degenerate reference activations'
        assert (a - b).abs().max() <= 1e-5, (i, (a - b).abs().max())


def test_classifier_logits_match_timm():
    from mmengine.registry import init_default_scope

    from ghost_det.models.classifier import build_ghostnet_classifier
    init_default_scope('mmdet')  # as in a detection session
    reference = randomised_timm_ghostnet(1.0, seed=3)
    converted, _ = convert_state_dict(reference.state_dict())
    classifier = build_ghostnet_classifier(1.0).eval()
    result = classifier.load_state_dict(converted, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    x = torch.randn(2, 3, 224, 224)
    _, logits = timm_block_outputs(reference, x)
    with torch.no_grad():
        ours = classifier(x, mode='tensor')
    assert (ours - logits).abs().max() <= 1e-5


def test_unwrap_and_report_unplaced_keys():
    sd = {'module.conv_stem.weight': torch.zeros(1),
          'module.fc.weight': torch.zeros(1),
          'module.blocks.0.0.ghost1.total_ops': torch.zeros(1)}
    converted, unplaced = convert_state_dict({'state_dict': sd})
    assert list(converted) == ['backbone.conv_stem.weight']
    assert unplaced == ['fc.weight']
    assert unwrap_state_dict({'model': {'a': 1}}) == {'a': 1}


def test_profiler_counters_are_dropped_not_placed():
    from ghost_det.weights import PROFILER_KEY
    assert PROFILER_KEY.search('blocks.1.0.ghost1.primary_conv.0.total_ops')
    assert PROFILER_KEY.search('total_params')
    assert not PROFILER_KEY.search('blocks.1.0.conv_dw.weight')


@pytest.mark.parametrize('widen', [0.5, 1.0, 1.1, 1.3])
def test_infer_widen_factor(widen):
    sd = GhostNet(widen_factor=widen).state_dict()
    assert infer_widen_factor(sd) == pytest.approx(widen, abs=0.01)
    with pytest.raises(KeyError, match='not a GhostNet checkpoint'):
        infer_widen_factor({'conv1.weight': torch.zeros(1)})
