"""RepGhostNet's exact inference-only rewrite: each RepGhost module's
identity branch (a BatchNorm of the primary conv's output, added to the
cheap conv's) folded into the cheap depthwise conv, as RepGhost intends."""
import torch
import torch.nn as nn
from mmcv.cnn.utils import fuse_conv_bn

from ..models.backbones.repghostnet import RepGhostNet
from ..models.layers import RepGhostModule
from .ghostnet import start_deploy


def norm_scale_shift(norm: nn.BatchNorm2d):
    """(scale, shift) with norm(x) == x * scale + shift in eval mode."""
    scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
    return scale, norm.bias - norm.running_mean * scale


def reparameterized(module: RepGhostModule) -> nn.Sequential:
    """``module`` (eval mode) as 1x1 conv, act, depthwise conv, act."""
    primary = fuse_conv_bn(module.primary_conv)
    cheap = fuse_conv_bn(module.cheap_operation)[0]
    scale, shift = norm_scale_shift(module.fusion_bn[0])
    with torch.no_grad():
        k = cheap.kernel_size[0] // 2
        cheap.weight[:, 0, k, k] += scale
        cheap.bias += shift
    return nn.Sequential(primary[0], primary[2], cheap, module.act)


def deploy_repghostnet(model: RepGhostNet) -> None:
    """Deploy ``model`` in place: eval mode, every RepGhost module
    :func:`reparameterized`, every other BatchNorm folded, the groups after
    the last output removed. Outputs equal the eager ones up to float
    rounding; training afterwards is not supported."""
    start_deploy(model)
    for block in list(model.modules()):
        for name in ('ghost1', 'ghost2'):
            if isinstance(getattr(block, name, None), RepGhostModule):
                setattr(block, name, reparameterized(getattr(block, name)))
    fuse_conv_bn(model)
