import math

import pytest
import torch
import torch.nn as nn

from ghost_det.models import GhostModule


@pytest.mark.parametrize('out_channels,ratio', [(16, 2), (15, 2), (24, 3),
                                                (10, 4)])
def test_shape_and_intrinsic_split(out_channels, ratio):
    m = GhostModule(8, out_channels, ratio=ratio)
    init = math.ceil(out_channels / ratio)
    assert m.primary_conv[0].out_channels == init
    assert m.cheap_operation[0].out_channels == init * (ratio - 1)
    assert m.cheap_operation[0].groups == init  # depthwise
    y = m(torch.randn(2, 8, 13, 11))
    assert y.shape == (2, out_channels, 13, 11)


def test_drop_in_for_conv_with_stride_and_kernel():
    conv = nn.Conv2d(16, 32, 3, stride=2, padding=1)
    ghost = GhostModule(16, 32, kernel_size=3, stride=2)
    x = torch.randn(1, 16, 20, 20)
    assert ghost(x).shape == conv(x).shape
    # Fewer parameters than the conv it replaces (about 1/s, eq. 5).
    n_conv = conv.weight.numel()
    n_ghost = sum(p.numel() for p in ghost.parameters() if p.dim() == 4)
    assert n_ghost < 0.6 * n_conv


def test_output_is_concat_of_intrinsic_and_ghost_maps():
    m = GhostModule(4, 6, ratio=2).eval()
    x = torch.randn(1, 4, 5, 5)
    intrinsic = m.primary_conv(x)
    ghost = m.cheap_operation(intrinsic)
    assert torch.equal(m(x), torch.cat([intrinsic, ghost], 1)[:, :6])


def test_linear_module_has_no_activation():
    m = GhostModule(4, 8, act_cfg=None).eval()
    assert isinstance(m.primary_conv[2], nn.Identity)
    assert isinstance(m.cheap_operation[2], nn.Identity)
    assert (m(torch.randn(2, 4, 6, 6)) < 0).any()
    relu = GhostModule(4, 8).eval()
    assert (relu(torch.randn(2, 4, 6, 6)) >= 0).all()


def test_layers_from_mmcv_configs():
    m = GhostModule(4, 8, norm_cfg=dict(type='GN', num_groups=2),
                    act_cfg=dict(type='HSwish'))
    assert isinstance(m.primary_conv[1], nn.GroupNorm)
    # mmcv builds its HSwish as torch's Hardswish on recent torch
    assert type(m.primary_conv[2]).__name__ in ('HSwish', 'Hardswish')


@pytest.mark.parametrize('kwargs,match', [
    (dict(ratio=1), 'ratio must be an integer >= 2'),
    (dict(ratio=2.5), 'ratio must be an integer >= 2'),
    (dict(dw_size=4), 'dw_size must be an odd integer'),
    (dict(dw_size=0), 'dw_size must be an odd integer'),
    (dict(kernel_size=0), 'kernel_size must be an integer >= 1'),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GhostModule(4, 8, **kwargs)
