"""GhostNet's channel layouts (relayout): exact, plain modules, the
layout choice."""
import pytest
import torch
import torch.nn as nn
from mmcv.cnn.utils import fuse_conv_bn

from ghost_det.deploy.channel_layout import ChannelLayout
from ghost_det.deploy.ghostnet import (
    GhostLayout,
    can_relayout,
    default_layout,
    relaid_bottleneck,
    relaid_ghost_module,
    relayout,
)
from ghost_det.models import GhostNet
from ghost_det.models.layers import GhostBottleneck, GhostModule
from tests._helpers import assert_close_relative, randomise_norms

LAYOUTS = ['fold', 'pad8', 'pad16', 'pad1-split', 'pad16-split',
           'pad1-split1-5']


@pytest.mark.parametrize('widen', [
    pytest.param(w, marks=() if w == 1.1 else pytest.mark.slow)
    for w in (0.5, 1.0, 1.1, 1.3)])
@pytest.mark.parametrize('layout', LAYOUTS)
def test_relayout_is_exact(widen, layout):
    model = randomise_norms(GhostNet(widen_factor=widen))
    inputs = [torch.randn(1, 3, 64, 64), torch.randn(2, 3, 75, 131)]
    expected = [model(x) for x in inputs]
    relayout(model, GhostLayout.parse(layout))
    assert model.deploy
    assert not any(isinstance(m, nn.BatchNorm2d) for m in model.modules())
    assert len(model.blocks) == 9  # blocks.9 feeds no output: removed
    for x, want in zip(inputs, expected):
        got = model(x)
        assert len(got) == len(want)
        for a, b in zip(got, want):
            assert_close_relative(a, b)


def test_deploy_replaces_the_trainable_layers():
    """A relaid model holds none of the training layers."""
    model = GhostNet(widen_factor=1.1)
    relayout(model, GhostLayout(16))
    kinds = {type(m).__name__ for m in model.modules()}
    assert not {'GhostModule', 'GhostBottleneck', 'SqueezeExcite'} & kinds


def test_pad_layout_pads_ghost_halves_to_the_simd_width():
    model = GhostNet(widen_factor=1.1).eval()
    assert {m.out_channels % 16 for m in model.modules()
            if isinstance(m, nn.Conv2d) and m.groups > 1} != {0}
    layouts = relayout(model, GhostLayout(16), gather_outputs=False)
    assert {m.out_channels % 16 for m in model.modules()
            if isinstance(m, nn.Conv2d) and m.groups > 1} == {0}
    assert [layout.parts[0].size for layout in layouts] == [32, 64, 128, 192]


@pytest.mark.parametrize('layout', ['pad16', 'pad16-split'])
def test_deploy_with_last_group_as_output(layout):
    model = randomise_norms(GhostNet(out_indices=(4, 9)))
    x = torch.randn(1, 3, 64, 64)
    expected = model(x)
    relayout(model, GhostLayout.parse(layout))
    got = model(x)
    assert len(got) == len(expected) == 2
    for a, b in zip(got, expected):
        assert_close_relative(a, b)


def test_ungathered_outputs_stay_in_their_layouts():
    model = randomise_norms(GhostNet(widen_factor=1.1))
    x = torch.randn(1, 3, 64, 96)
    expected = model(x)
    layouts = relayout(model, GhostLayout(16, split=True),
                              gather_outputs=False)
    got = model(x)
    assert all(isinstance(parts, list) and len(parts) == 2 for parts in got)
    for layout, parts, want in zip(layouts, got, expected):
        assert_close_relative(layout.gather(parts), want)


@pytest.mark.parametrize('out_channels', [28, 30])
@pytest.mark.parametrize('split', [False, True])
def test_relaid_ghost_module_pads_halves_and_keeps_values(out_channels,
                                                          split):
    m = randomise_norms(GhostModule(8, out_channels)).eval()
    x = torch.randn(1, 8, 7, 7)
    expected = m(x)
    fuse_conv_bn(m)
    relaid, out = relaid_ghost_module(m, ChannelLayout.dense(8),
                                      GhostLayout(16, split))
    parts = relaid([x])
    assert [p.shape[1] for p in parts] == ([16, 16] if split else [32])
    assert_close_relative(out.gather(parts), expected)
    half = out_channels // 2
    padding = [c for c in range(32) if c % 16 >= half]
    assert (torch.cat(parts, 1)[:, padding] == 0).all()


def test_relaid_ghost_module_needs_ratio_2():
    with pytest.raises(ValueError, match='ratio-2'):
        relaid_ghost_module(GhostModule(8, 24, ratio=3),
                            ChannelLayout.dense(8), GhostLayout(16))


@pytest.mark.parametrize('cin,mid,cout,stride,se', [
    (16, 48, 28, 2, 0), (28, 72, 28, 1, 0), (28, 80, 44, 2, 0.25),
    (44, 132, 44, 1, 0.25)])
@pytest.mark.parametrize('layout', LAYOUTS)
def test_relaid_bottleneck_is_exact(cin, mid, cout, stride, se, layout):
    block = randomise_norms(GhostBottleneck(cin, mid, cout, stride=stride,
                                            se_ratio=se)).eval()
    x = torch.randn(2, cin, 15, 17)
    expected = block(x)
    fuse_conv_bn(block)
    chosen = GhostLayout.parse(layout)
    in_layout = ChannelLayout.ghost(cin, chosen.pad_to, chosen.split)
    relaid, out_layout = relaid_bottleneck(block, in_layout, chosen)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in relaid.modules())
    assert_close_relative(out_layout.gather(relaid(in_layout.scatter(x))),
                          expected)


def test_layout_names_round_trip_and_bad_names():
    for name in LAYOUTS:
        assert GhostLayout.parse(name).name == name
    assert GhostLayout.parse('pad1') == GhostLayout()  # = fold
    with pytest.raises(ValueError, match='fold, pad<N>, pad<N>-split'):
        GhostLayout.parse('pad')
    with pytest.raises(ValueError, match=r'a range in \[0, 10\]'):
        GhostLayout.parse('pad1-split4-2')
    only = GhostLayout.parse('pad1-split1-5')
    assert [only.splits(i) for i in range(10)] == [False] + [True] * 4 + [
        False] * 5
    with pytest.raises(ValueError, match='pad_to must be an int >= 1'):
        GhostLayout(0)
    with pytest.raises(ValueError, match='pad_to must be an int >= 1'):
        GhostLayout.parse('pad0')


def test_default_layout_choice():
    # PyTorch: plain BatchNorm folding unless the inputs are known large
    assert default_layout('pytorch') == GhostLayout()
    assert default_layout('pytorch', (224, 224)) == GhostLayout()
    assert default_layout('pytorch', (800, 1344)) == GhostLayout(1, True)
    # the input size picks between the engine's two measured layouts
    assert default_layout('onnxruntime') == GhostLayout(8)
    assert default_layout('onnxruntime', (224, 224)) == GhostLayout(8)
    assert default_layout('onnxruntime', (800, 1344)) == GhostLayout(16)
    assert default_layout('onnxruntime', (511, 2000)) == GhostLayout(8)
    with pytest.raises(ValueError, match='choose one of pytorch'):
        default_layout('tensorrt')


def test_deploy_twice_changes_nothing_and_a_relaid_model_is_not_relaid():
    model = randomise_norms(GhostNet())
    x = torch.randn(1, 3, 64, 64)
    model.switch_to_deploy()
    expected = model(x)
    assert can_relayout(model)  # folded: still GhostNet's own bottlenecks
    relayout(model, GhostLayout(16))
    model.switch_to_deploy()  # does nothing
    assert not can_relayout(model)
    with pytest.raises(ValueError, match='deploys with layout fold'):
        relayout(model, GhostLayout(8))
    got = model(x)
    assert len(got) == len(expected) == 4
    for a, b in zip(got, expected):
        assert_close_relative(a, b)
