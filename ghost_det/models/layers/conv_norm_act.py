"""Conv + norm + activation with the official checkpoints' names."""
import torch
import torch.nn as nn
from mmcv.cnn import build_activation_layer, build_conv_layer, build_norm_layer
from mmdet.utils import ConfigType, OptConfigType


class ConvNormAct(nn.Module):
    """``kernel_size`` conv (no bias, 'same' padding) + norm + act, named
    ``conv``, ``bn1``, ``act1`` like the official ``blocks.9.0`` and timm's
    ``ConvBnAct``. ``act_cfg=None`` makes it linear."""

    def __init__(self, in_channels: int, out_channels: int,
                 kernel_size: int = 1, stride: int = 1, groups: int = 1,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: OptConfigType = dict(type='ReLU')) -> None:
        super().__init__()
        self.conv = build_conv_layer(
            conv_cfg, in_channels, out_channels, kernel_size, stride=stride,
            padding=kernel_size // 2, groups=groups, bias=False)
        self.bn1 = build_norm_layer(norm_cfg, out_channels)[1]
        self.act1 = build_activation_layer(act_cfg) if act_cfg else (
            nn.Identity())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act1(self.bn1(self.conv(x)))
