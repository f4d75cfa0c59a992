"""GhostNetV3's exact inference-only rewrite: each set of parallel conv
branches (:class:`~ghost_det.models.layers.RepBranches`) merged into one
conv with bias, as GhostNetV3 intends."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn.utils import fuse_conv_bn

from ..models.backbones.ghostnetv3 import GhostNetV3
from ..models.layers import ConvNormAct, RepBranches
from .ghostnet import start_deploy
from .repghostnet import norm_scale_shift


def fused_conv(branch: ConvNormAct) -> nn.Conv2d:
    """``branch`` (conv + norm, eval mode) as one conv with bias."""
    return fuse_conv_bn(nn.Sequential(branch.conv, branch.bn1))[0]


def merged(module: RepBranches) -> nn.Sequential:
    """``module`` (eval mode) as one conv with bias + its activation."""
    convs = [fused_conv(b) for b in module.rpr_conv]
    out = convs[0]
    k = out.kernel_size[0] // 2
    with torch.no_grad():
        for conv in convs[1:]:
            out.weight += conv.weight
            out.bias += conv.bias
        if module.rpr_scale is not None:
            scale = fused_conv(module.rpr_scale)
            out.weight += F.pad(scale.weight, [k, k, k, k])
            out.bias += scale.bias
        if module.rpr_skip is not None:  # depthwise: one input each
            gain, shift = norm_scale_shift(module.rpr_skip)
            out.weight[:, 0, k, k] += gain
            out.bias += shift
    return nn.Sequential(out, module.act)


def merge_branches(model: nn.Module) -> None:
    """Replace every :class:`RepBranches` in ``model`` by :func:`merged`."""
    for parent in list(model.modules()):
        for name, child in parent.named_children():
            if isinstance(child, RepBranches):
                setattr(parent, name, merged(child))


def deploy_ghostnetv3(model: GhostNetV3) -> None:
    """Deploy ``model`` in place: eval mode, branches merged, every other
    BatchNorm folded, the groups after the last output removed. Outputs
    equal the eager ones up to float rounding; training afterwards is not
    supported."""
    start_deploy(model)
    merge_branches(model)
    fuse_conv_bn(model)
