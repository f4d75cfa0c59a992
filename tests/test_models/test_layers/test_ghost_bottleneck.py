import pytest
import torch
import torch.nn as nn

from ghost_det.models import GhostBottleneck


def test_identity_shortcut_when_shape_kept():
    block = GhostBottleneck(16, 48, 16)
    assert len(block.shortcut) == 0
    assert not hasattr(block, 'conv_dw') and block.se is None
    assert block(torch.randn(2, 16, 9, 9)).shape == (2, 16, 9, 9)


def test_stride2_block_with_se_and_projection():
    block = GhostBottleneck(24, 72, 40, dw_kernel_size=5, stride=2,
                            se_ratio=0.25)
    assert block.conv_dw.stride == (2, 2) and block.conv_dw.groups == 72
    assert block.conv_dw.kernel_size == (5, 5)
    # official rounding: make_divisible(72 * 0.25, 4) = 20
    assert block.se.conv_reduce.out_channels == 20
    assert [type(m) for m in block.shortcut] == [
        nn.Conv2d, nn.BatchNorm2d, nn.Conv2d, nn.BatchNorm2d]
    assert block(torch.randn(2, 24, 15, 15)).shape == (2, 40, 8, 8)


def test_residual_added_without_activation():
    block = GhostBottleneck(8, 16, 8).eval()
    x = torch.randn(1, 8, 6, 6)
    residual = block.ghost2(block.ghost1(x))
    assert torch.allclose(block(x), residual + x)
    assert (block(x) < 0).any()  # linear ghost2, no ReLU after the add


def test_se_gate_is_hard_sigmoid():
    block = GhostBottleneck(8, 16, 8, se_ratio=0.25).eval()
    se = block.se
    x = torch.randn(1, 16, 4, 4)
    w = se.conv_expand(torch.relu(se.conv_reduce(x.mean((2, 3), True))))
    expected = x * torch.nn.functional.relu6(w + 3) / 6
    assert torch.allclose(se(x), expected, atol=1e-6)


def test_with_cp_matches_plain_forward_and_backward():
    torch.manual_seed(0)
    plain = GhostBottleneck(8, 24, 16, stride=2, se_ratio=0.25)
    cp = GhostBottleneck(8, 24, 16, stride=2, se_ratio=0.25, with_cp=True)
    cp.load_state_dict(plain.state_dict())
    x1 = torch.randn(2, 8, 10, 10, requires_grad=True)
    x2 = x1.detach().clone().requires_grad_()
    plain(x1).sum().backward()
    cp(x2).sum().backward()
    assert torch.allclose(x1.grad, x2.grad, atol=1e-5)


def test_with_cp_updates_batchnorm_statistics_once():
    """Activation checkpointing recomputes the forward in backward; the
    running statistics must still see each batch once, as without it."""
    torch.manual_seed(0)
    plain = GhostBottleneck(8, 24, 16, stride=2, se_ratio=0.25).train()
    cp = GhostBottleneck(8, 24, 16, stride=2, se_ratio=0.25,
                         with_cp=True).train()
    cp.load_state_dict(plain.state_dict())
    for _ in range(2):
        x = torch.randn(2, 8, 10, 10)
        plain(x.clone().requires_grad_()).sum().backward()
        cp(x.clone().requires_grad_()).sum().backward()
    ours, reference = cp.state_dict(), plain.state_dict()
    tracked = [k for k in reference if k.endswith('num_batches_tracked')]
    assert tracked and all(int(ours[k]) == 2 for k in tracked)
    for key in reference:
        assert torch.allclose(ours[key].float(), reference[key].float(),
                              atol=1e-6), key


def test_bad_stride():
    with pytest.raises(ValueError, match='stride must be 1 or 2'):
        GhostBottleneck(8, 16, 8, stride=3)
