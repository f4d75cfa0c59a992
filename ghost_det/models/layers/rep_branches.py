"""Parallel conv branches that re-parameterise into one conv (GhostNetV3)."""
from typing import Optional

import torch
import torch.nn as nn
from mmcv.cnn import build_activation_layer, build_norm_layer
from mmdet.utils import ConfigType, OptConfigType
from mmengine.model import BaseModule

from .conv_norm_act import ConvNormAct


class RepBranches(BaseModule):
    """The sum of ``num_branches`` ``kernel_size`` conv + norm branches, a
    1x1 conv + norm (the scale branch, when ``kernel_size`` > 1) and a norm
    of the input (the identity branch, when the conv could be the
    identity: depthwise, same channels, stride 1), then the activation
    (none when ``act_cfg`` is None). Training uses every branch; deploy
    (:mod:`ghost_det.deploy.ghostnetv3`) merges them into one conv
    with bias. Names follow timm's GhostNetV3 (``rpr_conv.{i}``,
    ``rpr_scale``, ``rpr_skip``; the ``conv``/``bn1`` of each).

    Args:
        in_channels, out_channels, kernel_size, stride, groups: Those of
            the conv the branches stand for ('same' padding).
        num_branches: ``kernel_size`` branches (3 in GhostNetV3).
        conv_cfg, norm_cfg, act_cfg: Layer configs (mmcv style).
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

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = sum(branch(x) for branch in self.rpr_conv)
        if self.rpr_scale is not None:
            out = out + self.rpr_scale(x)
        if self.rpr_skip is not None:
            out = out + self.rpr_skip(x)
        return self.act(out)
