import subprocess
import sys
from pathlib import Path

import pytest
import torch

from ghost_det.models import GhostNet, GhostNetV2, GhostNetV3, RepGhostNet
from ghost_det.models.utils import unwrap_state_dict
from tests._timm_reference import (
    randomised_timm_ghostnet,
    randomised_timm_ghostnetv2,
    randomised_timm_ghostnetv3,
    randomised_timm_repghostnet,
)

FAMILIES = {'RepGhostNet': (RepGhostNet, randomised_timm_repghostnet),
            'GhostNetV2': (GhostNetV2, randomised_timm_ghostnetv2),
            'GhostNetV3': (GhostNetV3, randomised_timm_ghostnetv3)}

pytestmark = pytest.mark.slow  # starts the tools as processes

ROOT = Path(__file__).parents[2]


def convert(src: Path, dst: Path, *extra: str):
    return subprocess.run(
        [sys.executable, 'tools/model_converters/convert_ghostnet_weights.py', str(src),
         str(dst), *extra], cwd=ROOT, capture_output=True, text=True)


def official_layout(tmp_path: Path, widen: float = 1.0, extra=None) -> Path:
    """A state dict as the official state_dict_73.98.pth stores it: plain
    tensors under the official names, plus thop's profiling counters."""
    sd = dict(randomised_timm_ghostnet(widen).state_dict())
    sd['blocks.0.0.ghost1.primary_conv.0.total_ops'] = torch.zeros(1)
    sd['total_params'] = torch.zeros(1)
    sd.update(extra or {})
    path = tmp_path / 'state_dict_73.98.pth'
    torch.save(sd, path)
    return path


def test_official_checkpoint_converts_and_loads_via_init_cfg(tmp_path):
    src = official_layout(tmp_path)
    dst = tmp_path / 'out' / 'ghostnet-1.0x_in1k.pth'
    result = convert(src, dst)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'GhostNet 1x' in result.stdout
    for line in ('could not place: 0', 'missing backbone keys: 0',
                 'unexpected backbone keys: 0'):
        assert line in result.stdout
    model = GhostNet(widen_factor=1.0, init_cfg=dict(
        type='Pretrained', checkpoint=str(dst), prefix='backbone.'))
    model.init_weights()
    reference = torch.load(src, weights_only=True)
    for key, value in model.state_dict().items():
        assert torch.equal(value, reference[key]), key


def test_timm_state_dict_with_wrapper_and_width_inference(tmp_path):
    sd = randomised_timm_ghostnet(1.3).state_dict()
    src = tmp_path / 'timm.pth'
    torch.save({'state_dict': {f'module.{k}': v for k, v in sd.items()}},
               src)
    result = convert(src, tmp_path / 'out.pth')
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'GhostNet 1.3x' in result.stdout


@pytest.mark.parametrize('family,widen', [('RepGhostNet', 1.11),
                                          ('GhostNetV2', 1.0),
                                          ('GhostNetV3', 1.0)])
def test_timm_family_converts_and_loads_via_init_cfg(tmp_path, family,
                                                     widen):
    backbone, reference = FAMILIES[family]
    sd = reference(widen).state_dict()
    src = tmp_path / 'timm.pth'
    torch.save(sd, src)
    dst = tmp_path / 'converted.pth'
    result = convert(src, dst)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f'{family} {widen:g}x' in result.stdout
    model = backbone(widen_factor=widen, init_cfg=dict(
        type='Pretrained', checkpoint=str(dst), prefix='backbone.'))
    model.init_weights()
    ours = unwrap_state_dict(sd)  # GhostNetV3's branches renamed
    assert len(ours) == len(sd)
    for key, value in model.state_dict().items():
        assert torch.equal(value, ours[key]), key


def test_reports_keys_it_cannot_place(tmp_path):
    src = official_layout(tmp_path, extra={'fc_extra.weight': torch.ones(2)})
    result = convert(src, tmp_path / 'out.pth')
    assert result.returncode == 1
    assert 'could not place: 1\n  fc_extra.weight' in result.stdout


def test_missing_file_is_a_clear_error(tmp_path):
    result = convert(tmp_path / 'nope.pth', tmp_path / 'out.pth')
    assert result.returncode != 0
    assert 'does not exist' in result.stderr


@pytest.mark.parametrize('widen', [1.1, 1.3])
def test_widen_to_writes_a_classifier_with_the_source_logits(tmp_path,
                                                            widen):
    """--widen-to: the official-layout 1.0x file becomes a wider mmpretrain
    classifier checkpoint (backbone and head) that loads strictly and gives
    timm's 1.0x logits."""
    from ghost_det.models.classifier import build_ghostnet_classifier
    src = official_layout(tmp_path)
    dst = tmp_path / f'ghostnet-{widen}x_widened.pth'
    result = convert(src, dst, '--widen-to', str(widen), '--noise', '0.1')
    assert result.returncode == 0, result.stdout + result.stderr
    assert f'widened GhostNet 1.0x -> {widen}x' in result.stdout
    saved = torch.load(dst, weights_only=True)
    assert saved['meta']['widened'] == dict(from_width=1.0, noise=0.1,
                                            seed=0)
    classifier = build_ghostnet_classifier(widen_factor=widen).eval()
    classifier.load_state_dict(saved['state_dict'], strict=True)
    reference = randomised_timm_ghostnet(1.0)
    x = torch.randn(2, 3, 96, 96)
    with torch.no_grad():
        expected = reference(x)
        logits = classifier(x, mode='tensor')
    assert ((logits - expected).abs().max() / expected.abs().max()) < 1e-5


def test_widen_to_a_narrower_width_or_another_family_is_refused(tmp_path):
    result = convert(official_layout(tmp_path), tmp_path / 'out.pth',
                     '--widen-to', '0.5')
    assert result.returncode != 0
    assert 'narrower than the source (1.0x)' in result.stderr
    src = tmp_path / 'repghost.pth'
    torch.save(randomised_timm_repghostnet(1.0).state_dict(), src)
    result = convert(src, tmp_path / 'out.pth', '--widen-to', '1.1')
    assert result.returncode != 0
    assert 'takes GhostNet weights' in result.stderr
    assert not (tmp_path / 'out.pth').exists()
