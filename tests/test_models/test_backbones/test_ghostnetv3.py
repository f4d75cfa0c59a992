"""GhostNetV3: equal to timm's ghostnetv3_* at the stage ends after weight
conversion; exact re-parameterisation in every engine."""
import pytest
import torch
import torch.nn as nn

from ghost_det.deploy import deploy_model
from ghost_det.models import GhostNetV3
from ghost_det.models.layers import GhostModuleV3, GhostModuleV3DFC, RepBranches
from ghost_det.models.utils import infer_family, infer_widen_factor
from tests._helpers import (
    assert_close_relative,
    exported_outputs,
    first_fast,
    randomise_norms,
)
from tests._timm_reference import (
    converted_backbone,
    randomised_timm_ghostnetv3,
    timm_block_outputs,
)

WIDTHS = [pytest.param(w, marks=() if w == 1.0 else pytest.mark.slow)
          for w in (0.5, 1.0, 1.3)]


@pytest.mark.parametrize('widen', WIDTHS)
def test_stage_ends_equal_timm(widen):
    reference = randomised_timm_ghostnetv3(widen)
    x = torch.randn(2, 3, 96, 130)  # odd sizes: the attention upsamples
    expected, _ = timm_block_outputs(reference, x)
    source = reference.state_dict()
    assert infer_family(source) == 'GhostNetV3'
    assert infer_widen_factor(source) == widen
    model = GhostNetV3(widen_factor=widen, out_indices=(2, 4, 6, 8, 9))
    model.load_state_dict(converted_backbone(source), strict=True)
    with torch.no_grad():
        outs = model.eval()(x)
    assert len(outs) == 5
    for out, index in zip(outs, (2, 4, 6, 8, 9)):
        assert_close_relative(out, expected[index], rtol=1e-5)


def test_official_branch_norm_names_convert():
    """The official GhostNetV3 release calls each branch's norm ``bn``."""
    source = {k.replace('.bn1.', '.bn.') if '_rpr_' in k else k: v
              for k, v in randomised_timm_ghostnetv3(1.0).state_dict().items()}
    GhostNetV3(out_indices=(9, )).load_state_dict(
        converted_backbone(source), strict=True)


def test_branches_where_ghostnetv3_has_them():
    model = GhostNetV3()
    blocks = [b for group in model.blocks[:9] for b in group]
    assert [type(b.ghost1) for b in blocks] == [GhostModuleV3] * 2 + [
        GhostModuleV3DFC] * 14
    assert all(type(b.ghost2) is GhostModuleV3 for b in blocks)
    ghost = blocks[0].ghost1
    primary, cheap = ghost.primary_conv, ghost.cheap_operation
    assert len(primary.rpr_conv) == 3 and primary.rpr_scale is None
    assert primary.rpr_skip is None  # 1x1, channels change
    assert cheap.rpr_scale is not None and cheap.rpr_skip is not None
    dw = blocks[1].conv_dw  # stride 2: no identity
    assert isinstance(dw, RepBranches) and dw.rpr_skip is None
    assert dw.rpr_scale.conv.stride == (2, 2)


@pytest.mark.parametrize('backend', first_fast('pytorch', 'onnxruntime',
                                                'openvino'))
def test_deploy_is_exact(tmp_path, backend):
    model = randomise_norms(GhostNetV3())
    x = torch.randn(1, 3, 96, 130)
    with torch.no_grad():
        expected = model(x)
    deploy_model(model, backend)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in model.modules())
    merged = [m for m in model.modules() if isinstance(m, RepBranches)]
    assert merged and all(len(m.rpr_conv) == 1 and m.rpr_scale is None
                          and m.rpr_skip is None for m in merged)
    got = exported_outputs(model, backend, x, str(tmp_path / 'v3.onnx'))
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        assert_close_relative(torch.from_numpy(a), b)


@pytest.mark.parametrize('widen', [pytest.param(0.5, marks=pytest.mark.slow),
                                   1.3])
def test_switch_to_deploy_is_exact_at_other_widths(widen):
    model = randomise_norms(GhostNetV3(widen_factor=widen))
    x = torch.randn(1, 3, 64, 80)
    with torch.no_grad():
        expected = model(x)
        model.switch_to_deploy()
        got = model(x)
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    assert len(convs) < sum(1 for m in GhostNetV3(widen_factor=widen)
                            .modules() if isinstance(m, nn.Conv2d)) / 2
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        assert_close_relative(a, b)


def test_relaid_layouts_are_refused():
    with pytest.raises(ValueError, match='deploys with layout fold'):
        deploy_model(GhostNetV3(), layout='pad16')


@pytest.mark.parametrize('backbone', ['GhostNetV2', 'GhostNetV3'])
def test_too_small_inputs_get_a_clear_error(backbone):
    from ghost_det import models
    model = getattr(models, backbone)().eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, 33, 40))  # the smallest that works
        with pytest.raises(ValueError, match='at least 33x33'):
            model(torch.zeros(1, 3, 32, 64))
