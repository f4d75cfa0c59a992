"""Parallel conv branches that re-parameterise into one conv (GhostNetV3)."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_activation_layer, build_norm_layer
from mmcv.cnn.utils import fuse_conv_bn
from mmdet.utils import ConfigType, OptConfigType
from mmengine.model import BaseModule

from .conv_norm_act import ConvNormAct
from .fuse import norm_scale_shift


class RepBranches(BaseModule):
    """The sum of ``num_branches`` ``kernel_size`` conv + norm branches, a
    1x1 conv + norm (the scale branch, when ``kernel_size`` > 1) and a norm
    of the input (the identity branch, when the conv could be the
    identity: depthwise, same channels, stride 1), then the activation
    (none when ``act_cfg`` is None). Training uses every branch;
    :meth:`switch_to_deploy` merges them into one conv with bias
    (``rpr_conv.0``). Names follow timm's GhostNetV3 (``rpr_conv.{i}``,
    ``rpr_scale``, ``rpr_skip``; the ``conv``/``bn1`` of each).

    Args:
        in_channels, out_channels, kernel_size, stride, groups: Those of
            the conv the branches stand for ('same' padding).
        num_branches: ``kernel_size`` branches (3 in GhostNetV3).
        conv_cfg, norm_cfg, act_cfg: Layer configs (mmcv style).
        deploy: Build the merged form (to load its weights).
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: int = 1,
                 stride: int = 1,
                 groups: int = 1,
                 num_branches: int = 3,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: OptConfigType = dict(type='ReLU'),
                 deploy: bool = False,
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if (isinstance(num_branches, bool) or not isinstance(num_branches, int)
                or num_branches < 1):
            raise ValueError(
                f'num_branches must be an integer >= 1, got {num_branches!r}')

        def conv_norm(kernel: int) -> ConvNormAct:
            return ConvNormAct(in_channels, out_channels, kernel, stride,
                               groups, conv_cfg, norm_cfg, act_cfg=None)

        self.rpr_conv = nn.ModuleList(
            conv_norm(kernel_size) for _ in range(num_branches))
        self.rpr_scale: Optional[nn.Module] = conv_norm(1) if (
            kernel_size > 1) else None
        identity = (stride == 1 and in_channels == out_channels == groups)
        self.rpr_skip: Optional[nn.Module] = build_norm_layer(
            norm_cfg, out_channels)[1] if identity else None
        self.act = build_activation_layer(act_cfg) if act_cfg else (
            nn.Identity())
        self.deploy = False
        if deploy:
            self.switch_to_deploy()

    def switch_to_deploy(self) -> None:
        """Merge every branch (BatchNorm folded, eval statistics) into
        ``rpr_conv.0``, a conv with bias, in place. Exact up to float
        rounding; inference only."""
        if self.deploy:
            return
        convs = [fuse_conv_bn(nn.Sequential(b.conv, b.bn1))[0]
                 for b in self.rpr_conv]
        out = convs[0]
        k = out.kernel_size[0] // 2
        with torch.no_grad():
            for conv in convs[1:]:
                out.weight += conv.weight
                out.bias += conv.bias
            if self.rpr_scale is not None:
                scale = fuse_conv_bn(nn.Sequential(
                    self.rpr_scale.conv, self.rpr_scale.bn1))[0]
                out.weight += F.pad(scale.weight, [k, k, k, k])
                out.bias += scale.bias
            if self.rpr_skip is not None:  # depthwise: one input each
                gain, shift = norm_scale_shift(self.rpr_skip)
                out.weight[:, 0, k, k] += gain
                out.bias += shift
        self.rpr_conv = nn.ModuleList([out])
        self.rpr_scale = self.rpr_skip = None
        self.deploy = True

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = sum(branch(x) for branch in self.rpr_conv)
        if self.rpr_scale is not None:
            out = out + self.rpr_scale(x)
        if self.rpr_skip is not None:
            out = out + self.rpr_skip(x)
        return self.act(out)
