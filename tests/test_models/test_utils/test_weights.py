from pathlib import Path

import pytest
import torch

from ghost_det.models import GhostNet
from ghost_det.models.utils.layout import (
    convert_state_dict,
    infer_widen_factor,
    unwrap_state_dict,
)
from ghost_det.models.utils.weights import (
    PretrainedWeightsError,
    select_backbone_weights,
)
from tests._timm_reference import randomised_timm_ghostnet, timm_block_outputs

ROOT = Path(__file__).parents[3]


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
    init_default_scope('mmdet')  # as in a detection run
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
    from ghost_det.models.utils.layout import PROFILER_KEY
    assert PROFILER_KEY.search('blocks.1.0.ghost1.primary_conv.0.total_ops')
    assert PROFILER_KEY.search('total_params')
    assert not PROFILER_KEY.search('blocks.1.0.conv_dw.weight')


@pytest.mark.parametrize('widen', [0.5, 1.0, 1.1, 1.3])
def test_infer_widen_factor(widen):
    sd = GhostNet(widen_factor=widen).state_dict()
    assert infer_widen_factor(sd) == pytest.approx(widen, abs=0.01)
    with pytest.raises(KeyError, match='not a GhostNet checkpoint'):
        infer_widen_factor({'conv1.weight': torch.zeros(1)})


# --------------------------------------------------------------------------
# Strict loading through init_cfg=dict(type='Pretrained', ...)

def official_file(tmp_path, widen=1.0, seed=0):
    """A checkpoint laid out as the official state_dict_73.98.pth: bare
    official keys, the classifier head and thop's profiling counters."""
    reference = randomised_timm_ghostnet(widen, seed=seed).state_dict()
    sd = dict(reference)
    sd['blocks.0.0.ghost1.primary_conv.0.total_ops'] = torch.zeros(1)
    sd['total_params'] = torch.zeros(1)
    path = tmp_path / f'official-{widen}.pth'
    torch.save(sd, path)
    return path, reference


def pretrained(path, widen=1.0, prefix='backbone.'):
    return GhostNet(widen_factor=widen, init_cfg=dict(
        type='Pretrained', checkpoint=str(path), prefix=prefix))


def assert_all_loaded(model, reference, prefix=''):
    own = model.state_dict()
    assert len(own) == 508
    for key, value in own.items():
        assert torch.equal(value, reference[prefix + key]), key


@pytest.mark.parametrize('prefix', ['backbone.', None])
def test_official_layout_loads_completely(tmp_path, prefix):
    path, reference = official_file(tmp_path)
    model = pretrained(path, prefix=prefix)
    model.init_weights()
    assert_all_loaded(model, reference)


def test_timm_layout_loads_completely(tmp_path):
    # timm's ghostnet_100 state dict, as timm.create_model(...).state_dict()
    # or its hub file holds it (no thop counters)
    reference = randomised_timm_ghostnet(1.3, seed=2).state_dict()
    path = tmp_path / 'ghostnet_130.pth'
    torch.save(reference, path)
    model = pretrained(path, widen=1.3)
    model.init_weights()
    assert_all_loaded(model, reference)


def test_converted_layout_loads_completely(tmp_path):
    reference = randomised_timm_ghostnet(1.0, seed=4).state_dict()
    converted, _ = convert_state_dict(reference)
    path = tmp_path / 'ghostnet-1.0x_in1k.pth'
    torch.save({'state_dict': converted, 'meta': {'widen_factor': 1.0}}, path)
    model = pretrained(path)
    model.init_weights()
    assert_all_loaded(model, reference)


def test_classifier_checkpoint_loads_completely(tmp_path):
    from ghost_det.models.classifier import build_ghostnet_classifier
    classifier = build_ghostnet_classifier(1.1)
    reference = classifier.state_dict()
    path = tmp_path / 'epoch_300.pth'
    torch.save({'meta': {'epoch': 300}, 'state_dict': reference}, path)
    model = pretrained(path, widen=1.1)
    model.init_weights()
    assert_all_loaded(model, reference, prefix='backbone.')


def test_detector_checkpoint_loads_completely(tmp_path):
    from mmdet.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    cfg = Config.fromfile(str(ROOT / 'configs/ghostnet/'
                              'retinanet_ghostnet-1.1x_fpn_1x_coco.py'))
    init_default_scope('mmdet')
    detector = MODELS.build(cfg.model)
    reference = detector.state_dict()
    path = tmp_path / 'epoch_12.pth'
    torch.save({'meta': {}, 'state_dict': reference}, path)
    model = pretrained(path, widen=1.1)
    model.init_weights()
    assert_all_loaded(model, reference, prefix='backbone.')


def test_loading_changes_every_tensor(tmp_path):
    """The test above would pass on a model that already held the values:
    check that a fresh model differs from the checkpoint before loading."""
    path, reference = official_file(tmp_path, seed=7)
    fresh = pretrained(path)
    differing = [k for k, v in fresh.state_dict().items()
                 if v.is_floating_point() and not torch.equal(v, reference[k])]
    assert len(differing) > 400


def error_of(model, kind=PretrainedWeightsError) -> str:
    with pytest.raises(kind) as info:
        model.init_weights()
    return str(info.value)


def test_wrong_width_stops_with_width_and_fix(tmp_path):
    path, _ = official_file(tmp_path)
    model = pretrained(path, widen=1.1)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    message = error_of(model)
    assert str(path) in message
    assert 'GhostNet-1.0x; the config asks for 1.1x' in message
    assert 'shape mismatches: 396' in message
    assert ('blocks.1.0.ghost1.primary_conv.0.weight: checkpoint '
            '(24, 16, 1, 1), model (26, 16, 1, 1)') in message
    # the FPN channels of a 1.0x backbone, from the spec's table
    assert ('model.backbone.widen_factor=1.0 and model.neck.in_channels='
            '[24, 40, 112, 160]') in message
    assert 'tools/model_converters/convert_ghostnet_weights.py' in message
    assert 'configs/pretrain/ghostnet-1.1x_8xb128_in1k.py' in message
    # nothing was loaded
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key]), key


def test_missing_prefix_stops_and_names_it(tmp_path):
    reference = randomised_timm_ghostnet(1.0).state_dict()
    converted, _ = convert_state_dict(reference)
    path = tmp_path / 'converted.pth'
    torch.save({'state_dict': converted}, path)
    message = error_of(pretrained(path, prefix=None))
    assert str(path) in message
    assert "init_cfg has no prefix" in message
    assert "prefix='backbone.'" in message


def test_wrong_prefix_names_the_right_one(tmp_path):
    reference = randomised_timm_ghostnet(1.0).state_dict()
    path = tmp_path / 'nested.pth'
    torch.save({'state_dict': {f'model.backbone.{k}': v
                               for k, v in reference.items()}}, path)
    message = error_of(pretrained(path, prefix='backbone.'))
    assert "no key starts with prefix 'backbone.'" in message
    assert "prefix='model.backbone.'" in message


def test_missing_file_stops_with_the_ways_to_get_weights(tmp_path):
    message = error_of(pretrained(tmp_path / 'ghostnet-1.1x_in1k.pth', 1.1),
                       FileNotFoundError)
    assert 'ghostnet-1.1x_in1k.pth' in message and 'does not exist' in message
    assert 'configs/pretrain/ghostnet-1.1x_8xb128_in1k.py' in message


@pytest.mark.parametrize('content', [b'not a checkpoint\n', bytes(range(256)),
                                     b'PK\x03\x04 broken zip'])
def test_file_that_is_not_a_checkpoint(tmp_path, content):
    path = tmp_path / 'weights.pth'
    path.write_bytes(content)
    message = error_of(pretrained(path))
    assert str(path) in message and 'not a checkpoint' in message


def test_checkpoint_without_tensors(tmp_path):
    path = tmp_path / 'meta_only.pth'
    torch.save({'meta': {'epoch': 1}}, path)
    assert 'without tensors' in error_of(pretrained(path))


def test_other_network_is_refused(tmp_path):
    path = tmp_path / 'resnet.pth'
    torch.save({'conv1.weight': torch.zeros(64, 3, 7, 7),
                'layer1.0.conv1.weight': torch.zeros(64, 64, 1, 1)}, path)
    message = error_of(pretrained(path))
    assert 'no GhostNet backbone in this checkpoint' in message


@pytest.mark.parametrize('change', ['extra', 'missing'])
def test_extra_or_missing_backbone_keys_are_listed(tmp_path, change):
    path, reference = official_file(tmp_path)
    sd = torch.load(path, weights_only=True)
    if change == 'extra':
        sd['blocks.3.0.se.extra.weight'] = torch.zeros(3)
        expected = 'unexpected keys (in the checkpoint, not the model): 1'
    else:
        del sd['blocks.8.3.ghost2.cheap_operation.0.weight']
        expected = 'missing keys (in the model, not the checkpoint): 1'
    torch.save(sd, path)
    message = error_of(pretrained(path))
    assert expected in message
    assert ('blocks.3.0.se.extra.weight' if change == 'extra'
            else 'blocks.8.3.ghost2.cheap_operation.0.weight') in message


def test_only_the_classifier_head_and_counters_are_ignored():
    sd = {'conv_stem.weight': torch.zeros(1), 'conv_head.weight': torch.zeros(1),
          'classifier.bias': torch.zeros(1), 'blocks.0.0.total_ops':
          torch.zeros(1), 'fc.weight': torch.zeros(1)}
    weights, _ = select_backbone_weights(sd, 'backbone.')
    assert sorted(weights) == ['conv_stem.weight', 'fc.weight']
