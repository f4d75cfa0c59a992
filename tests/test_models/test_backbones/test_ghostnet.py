import pytest
import torch
import torch.nn as nn
from mmengine.model import revert_sync_batchnorm
from torch.nn.modules.batchnorm import _BatchNorm

from ghost_det import models
from ghost_det.models import GhostNet
from ghost_det.models.layers.squeeze_excite import SqueezeExcite
from tests._helpers import (
    assert_close_relative,
    first_fast,
    randomise_norms,
)

# Stage-end channels (strides 4/8/16/32) and blocks.9, from the spec table.
STAGE_CHANNELS = {
    0.5: (12, 20, 56, 80, 480),
    1.0: (24, 40, 112, 160, 960),
    1.1: (28, 44, 124, 176, 1056),
    1.3: (32, 52, 144, 208, 1248),
}


@pytest.mark.parametrize('widen', sorted(STAGE_CHANNELS))
def test_stage_end_shapes_and_channels(widen):
    model = GhostNet(widen_factor=widen, out_indices=(2, 4, 6, 8, 9)).eval()
    assert model.out_channels == STAGE_CHANNELS[widen]
    outs = model(torch.randn(1, 3, 64, 96))
    assert [o.shape[1] for o in outs] == list(STAGE_CHANNELS[widen])
    assert [o.shape[2:] for o in outs] == [
        (16, 24), (8, 12), (4, 6), (2, 3), (2, 3)]


def test_default_outputs_are_stage_ends():
    model = GhostNet(widen_factor=1.1)
    assert model.out_indices == (2, 4, 6, 8)
    assert model.out_channels == STAGE_CHANNELS[1.1][:4]


def test_any_out_index_and_block_channels():
    model = GhostNet(out_indices=(0, 1, 3, 5, 7)).eval()
    assert model.block_channels == [16, 24, 24, 40, 40, 80, 112, 160, 160,
                                    960]
    strides = [o.shape[-1] for o in model(torch.randn(1, 3, 64, 64))]
    assert strides == [32, 16, 8, 4, 2]


@pytest.mark.parametrize('widen', [0.35, 2, 1.75])
def test_any_positive_width(widen):
    model = GhostNet(widen_factor=widen).eval()
    outs = model(torch.randn(1, 3, 32, 32))
    assert tuple(o.shape[1] for o in outs) == model.out_channels
    assert all(c % 4 == 0 for c in model.out_channels)


@pytest.mark.parametrize('size', [(97, 130), (33, 45), (224, 224)])
def test_sizes_not_multiple_of_32(size):
    model = GhostNet(widen_factor=1.1).eval()
    outs = model(torch.randn(1, 3, *size))
    h = size[0]
    for o, stride in zip(outs, (4, 8, 16, 32)):
        assert o.shape[2] == -(-h // stride)


def test_blocks_after_last_output_are_not_run_nor_trained():
    model = GhostNet(out_indices=(2, 4))
    for i in range(5, 10):
        assert all(not p.requires_grad for p in model.blocks[i].parameters())
    assert all(p.requires_grad for p in model.blocks[4].parameters())
    outs = model(torch.randn(2, 3, 32, 32))
    sum(o.sum() for o in outs).backward()
    assert all(p.grad is None for p in model.blocks[5].parameters())
    assert model.blocks[0][0].ghost1.primary_conv[0].weight.grad is not None


@pytest.mark.parametrize('frozen_stages', [0, 1, 3, 10])
def test_frozen_stages(frozen_stages):
    model = GhostNet(frozen_stages=frozen_stages, out_indices=(2, 4, 6, 9))
    model.train()
    frozen = [model.conv_stem, model.bn1] + list(model.blocks[:frozen_stages])
    trained = list(model.blocks[frozen_stages:])
    for m in frozen:
        assert all(not p.requires_grad for p in m.parameters())
        assert all(not x.training for x in m.modules())
    for m in trained:
        assert all(p.requires_grad for p in m.parameters())
        assert all(x.training for x in m.modules())
    # frozen BN statistics do not move in train mode
    before = model.bn1.running_mean.clone()
    model(torch.randn(2, 3, 32, 32))
    assert torch.equal(model.bn1.running_mean, before)


def test_no_frozen_stages_by_default():
    model = GhostNet(out_indices=(9, )).train()
    assert all(p.requires_grad for p in model.parameters())


def test_norm_eval_keeps_bn_in_eval_and_train_returns_self():
    model = GhostNet(norm_eval=True)
    assert model.train() is model
    bns = [m for m in model.modules() if isinstance(m, _BatchNorm)]
    assert bns and all(not m.training for m in bns)
    assert model.blocks[0][0].ghost1.primary_conv[0].training
    model.eval().train()
    assert all(not m.training for m in bns)
    plain = GhostNet().train()
    assert all(m.training for m in plain.blocks[0].modules())


def test_syncbn_built_and_reverted_for_cpu():
    model = GhostNet(norm_cfg=dict(type='SyncBN'))
    assert any(isinstance(m, nn.SyncBatchNorm) for m in model.modules())
    model = revert_sync_batchnorm(model).eval()
    assert not any(isinstance(m, nn.SyncBatchNorm) for m in model.modules())
    outs = model(torch.randn(1, 3, 64, 64))
    assert tuple(o.shape[1] for o in outs) == model.out_channels


def test_group_norm():
    model = GhostNet(norm_cfg=dict(type='GN', num_groups=4,
                                   requires_grad=True))
    assert not any(isinstance(m, _BatchNorm) for m in model.modules())
    assert any(isinstance(m, nn.GroupNorm) for m in model.modules())
    outs = model.train()(torch.randn(1, 3, 64, 64))
    sum(o.mean() for o in outs).backward()
    assert model.bn1.weight.grad is not None


def test_with_cp_gives_same_gradients():
    torch.manual_seed(0)
    a = GhostNet(widen_factor=0.5)
    b = GhostNet(widen_factor=0.5, with_cp=True)
    b.load_state_dict(a.state_dict())
    assert all(blk.with_cp for g in b.blocks[:9] for blk in g)
    x = torch.randn(2, 3, 64, 64)
    sum(o.sum() for o in a(x)).backward()
    sum(o.sum() for o in b(x)).backward()
    ga = a.blocks[3][0].ghost1.primary_conv[0].weight.grad
    gb = b.blocks[3][0].ghost1.primary_conv[0].weight.grad
    assert torch.allclose(ga, gb, rtol=1e-4, atol=1e-5)


def test_official_checkpoint_key_names():
    keys = GhostNet().state_dict().keys()
    for key in ['conv_stem.weight', 'bn1.running_var',
                'blocks.0.0.ghost1.primary_conv.0.weight',
                'blocks.0.0.ghost2.cheap_operation.1.bias',
                'blocks.3.0.conv_dw.weight', 'blocks.3.0.bn_dw.weight',
                'blocks.3.0.se.conv_reduce.weight',
                'blocks.3.0.se.conv_expand.bias',
                'blocks.1.0.shortcut.3.running_mean',
                'blocks.9.0.conv.weight', 'blocks.9.0.bn1.weight']:
        assert key in keys, key


def test_registered_in_mmdet():
    from mmdet.registry import MODELS
    model = MODELS.build(dict(type='GhostNet', widen_factor=1.1))
    assert isinstance(model, GhostNet)


def test_pretrained_init_cfg_loads_backbone_prefix(tmp_path):
    src = GhostNet(widen_factor=0.5)
    src.init_weights()
    ckpt = tmp_path / 'ghostnet.pth'
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in
                               src.state_dict().items()}}, ckpt)
    dst = GhostNet(widen_factor=0.5, init_cfg=dict(
        type='Pretrained', checkpoint=str(ckpt), prefix='backbone.'))
    dst.init_weights()
    for k, v in src.state_dict().items():
        assert torch.equal(v, dst.state_dict()[k]), k


@pytest.mark.parametrize('kwargs,match', [
    (dict(widen_factor=0), 'widen_factor must be a positive number'),
    (dict(widen_factor=-1.1), r'got -1\.1'),
    (dict(widen_factor='1.0'), 'widen_factor must be a positive number'),
    (dict(out_indices=(2, 10)), r'in \[0, 9\]'),
    (dict(out_indices=(-1, )), r'in \[0, 9\]'),
    (dict(out_indices=()), 'non-empty'),
    (dict(out_indices=(2, 2)), 'distinct'),
    (dict(frozen_stages=11), r'frozen_stages must be an int in \[-1, 10\]'),
    (dict(frozen_stages=-2), r'got -2'),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GhostNet(**kwargs)


@pytest.mark.parametrize('shape', [(1, 1, 32, 32), (1, 4, 32, 32),
                                   (3, 32, 32)])
def test_bad_input_channels(shape):
    with pytest.raises(ValueError, match=r'expects images of shape \(N, 3'):
        GhostNet()(torch.randn(*shape))


def test_in_channels_option():
    model = GhostNet(in_channels=1, out_indices=(2, )).eval()
    assert model(torch.randn(1, 1, 32, 32))[0].shape[1] == 24


@pytest.mark.parametrize('name', first_fast('GhostNet', 'GhostNetV3'))
def test_ablation_switches_change_only_what_they_name(name):
    cls = getattr(models, name)
    plain, no_se, relu = (cls(widen_factor=1.1), cls(widen_factor=1.1,
                          with_se=False), cls(widen_factor=1.1,
                                              project_act=True))
    assert any(isinstance(m, SqueezeExcite) for m in plain.modules())
    assert not any(isinstance(m, SqueezeExcite) for m in no_se.modules())
    se_params = sum(p.numel() for m in plain.modules()
                    if isinstance(m, SqueezeExcite) for p in m.parameters())
    assert sum(p.numel() for p in no_se.parameters()) == sum(
        p.numel() for p in plain.parameters()) - se_params > 0
    # the second Ghost module gets the block activation, nothing else moves
    assert relu.state_dict().keys() == plain.state_dict().keys()
    def ghost2_has_relu(model):
        return [any(isinstance(m, nn.ReLU) for m in b.ghost2.modules())
                for g in model.blocks for b in g if hasattr(b, 'ghost2')]

    assert all(ghost2_has_relu(relu)) and not any(ghost2_has_relu(plain))
    assert len(ghost2_has_relu(relu)) == 16
    # both still deploy exactly
    x = torch.randn(2, 3, 64, 96)
    for model in (no_se, relu):
        randomise_norms(model).eval()
        with torch.no_grad():
            expected = model(x)
            model.switch_to_deploy()
            got = model(x)
        assert len(got) == len(expected) == 4
        for a, b in zip(got, expected):
            assert_close_relative(a, b)
