"""GhostNetV2: equal to timm's ghostnetv2_* at the stage ends after weight
conversion; exact BatchNorm-folding deploy."""
import pytest
import torch
import torch.nn as nn

from ghost_det.deploy import deploy_model
from ghost_det.models import GhostNetV2
from ghost_det.models.layers import GhostModuleV2
from ghost_det.models.utils import infer_widen_factor
from tests._helpers import (
    assert_close_relative,
    exported_outputs,
    first_fast,
    randomise_norms,
)
from tests._timm_reference import (
    converted_backbone,
    randomised_timm_ghostnetv2,
    timm_block_outputs,
)

WIDTHS = [pytest.param(w, marks=() if w == 1.0 else pytest.mark.slow)
          for w in (1.0, 1.3, 1.6)]


@pytest.mark.parametrize('widen', WIDTHS)
def test_stage_ends_equal_timm(widen):
    reference = randomised_timm_ghostnetv2(widen)
    x = torch.randn(2, 3, 96, 130)  # odd sizes: the attention upsamples
    expected, _ = timm_block_outputs(reference, x)
    assert infer_widen_factor(reference.state_dict()) == widen
    model = GhostNetV2(widen_factor=widen, out_indices=(2, 4, 6, 8, 9))
    model.load_state_dict(converted_backbone(reference.state_dict()),
                          strict=True)
    with torch.no_grad():
        outs = model.eval()(x)
    assert len(outs) == 5
    for out, index in zip(outs, (2, 4, 6, 8, 9)):
        assert_close_relative(out, expected[index], rtol=1e-5)


def test_attention_from_the_third_bottleneck_on():
    model = GhostNetV2()
    blocks = [b for group in model.blocks[:9] for b in group]
    assert [isinstance(b.ghost1, GhostModuleV2) for b in blocks] == [
        False, False] + [True] * 14
    assert not any(isinstance(b.ghost2, GhostModuleV2) for b in blocks)


@pytest.mark.parametrize('backend', first_fast('pytorch', 'onnxruntime',
                                                'openvino'))
def test_deploy_is_exact(tmp_path, backend):
    model = randomise_norms(GhostNetV2())
    x = torch.randn(1, 3, 96, 130)
    with torch.no_grad():
        expected = model(x)
    deploy_model(model, backend)  # fold, whatever the engine's default
    assert not any(isinstance(m, nn.BatchNorm2d) for m in model.modules())
    got = exported_outputs(model, backend, x, str(tmp_path / 'v2.onnx'))
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        assert_close_relative(torch.from_numpy(a), b)


def test_relaid_layouts_are_refused():
    with pytest.raises(ValueError, match='deploys with layout fold'):
        deploy_model(GhostNetV2(), layout='pad16')
