"""RepGhostNet: equal to timm's repghostnet_* at the stage ends, strict
loading of timm's weights, exact re-parameterised deploy."""
import pytest
import torch
import torch.nn as nn

from ghost_det.deploy import deploy_model
from ghost_det.models import RepGhostNet
from ghost_det.models.layers import RepGhostModule
from ghost_det.models.utils import infer_widen_factor
from tests._helpers import (
    assert_close_relative,
    exported_outputs,
    randomise_norms,
)
from tests._timm_reference import (
    converted_backbone,
    randomised_timm_repghostnet,
    timm_block_outputs,
)

WIDTHS = [pytest.param(w, marks=() if w == 1.11 else pytest.mark.slow)
          for w in (0.5, 1.0, 1.11, 1.3)]


@pytest.mark.parametrize('widen', WIDTHS)
def test_stage_ends_equal_timm(widen):
    reference = randomised_timm_repghostnet(widen)
    x = torch.randn(2, 3, 96, 128)
    expected, _ = timm_block_outputs(reference, x)
    assert infer_widen_factor(reference.state_dict()) == pytest.approx(
        widen, abs=0.01)
    model = RepGhostNet(widen_factor=widen, out_indices=(2, 4, 6, 8, 9))
    model.load_state_dict(converted_backbone(reference.state_dict()), strict=True)
    with torch.no_grad():
        outs = model.eval()(x)
    assert len(outs) == 5
    for out, index in zip(outs, (2, 4, 6, 8, 9)):
        assert_close_relative(out, expected[index], rtol=1e-5)


def test_repghostnet_111_has_ghostnet_11_stage_ends():
    assert RepGhostNet(widen_factor=1.11).out_channels == (28, 44, 124, 176)


@pytest.mark.parametrize('widen', WIDTHS)
def test_switch_to_deploy_is_exact(widen):
    model = randomise_norms(RepGhostNet(widen_factor=widen))
    inputs = [torch.randn(1, 3, 64, 64), torch.randn(2, 3, 75, 131)]
    with torch.no_grad():
        expected = [model(x) for x in inputs]
    model.switch_to_deploy()
    assert not any(isinstance(m, nn.BatchNorm2d) for m in model.modules())
    modules = [m for m in model.modules() if isinstance(m, RepGhostModule)]
    assert modules and all(m.fusion_bn is None for m in modules)
    assert len(model.blocks) == 9
    with torch.no_grad():
        for x, want in zip(inputs, expected):  # built from inputs above
            got = model(x)
            assert len(got) == len(want)
            for a, b in zip(got, want):
                assert_close_relative(a, b)


@pytest.mark.parametrize('backend', ['onnxruntime', 'openvino'])
def test_deployed_export_equals_eager(tmp_path, backend):
    model = randomise_norms(RepGhostNet(widen_factor=1.11))
    x = torch.randn(1, 3, 96, 160)
    with torch.no_grad():
        expected = model(x)
    deploy_model(model, backend)
    got = exported_outputs(model, backend, x, str(tmp_path / 'rep.onnx'))
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        assert_close_relative(torch.from_numpy(a), b)
