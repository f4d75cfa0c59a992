"""Ghost module (GhostNet paper, Sec. 3.1): a plug-in replacement for a conv layer."""
import math

import torch
import torch.nn as nn
from mmcv.cnn import build_activation_layer, build_conv_layer, build_norm_layer
from mmdet.utils import ConfigType, OptConfigType
from mmengine.model import BaseModule


class GhostModule(BaseModule):
    """Make ``out_channels`` maps from ``ceil(out/ratio)`` intrinsic ones.

    A ``kernel_size`` x ``kernel_size`` primary conv makes the intrinsic maps;
    a cheap ``dw_size`` x ``dw_size`` depthwise conv makes ``ratio - 1`` ghost
    maps from each; both are concatenated and cut to ``out_channels``.
    Each conv is followed by a norm layer and, unless ``act_cfg`` is None,
    by an activation. Submodule names match the official checkpoints
    (``primary_conv.{0,1}``, ``cheap_operation.{0,1}``).

    Args:
        in_channels: Input channels.
        out_channels: Output channels (n in the paper).
        kernel_size: Primary conv kernel (k). Default 1.
        ratio: Compression ratio (s), an integer >= 2. Default 2.
        dw_size: Cheap depthwise kernel (d), odd. Default 3.
        stride: Stride of the primary conv. Default 1.
        conv_cfg: Conv layer config. Default None (nn.Conv2d).
        norm_cfg: Norm layer config. Default ``dict(type='BN')``.
        act_cfg: Activation config, or None for a linear module.
            Default ``dict(type='ReLU')``.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: int = 1,
                 ratio: int = 2,
                 dw_size: int = 3,
                 stride: int = 1,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: OptConfigType = dict(type='ReLU'),
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if isinstance(ratio, bool) or not isinstance(ratio, int) or ratio < 2:
            raise ValueError(
                f'ratio must be an integer >= 2 (s in the paper), got {ratio!r}')
        if (isinstance(dw_size, bool) or not isinstance(dw_size, int)
                or dw_size < 1 or dw_size % 2 == 0):
            raise ValueError(
                f'dw_size must be an odd integer >= 1 (d in the paper), '
                f'got {dw_size!r}')
        if (isinstance(kernel_size, bool) or not isinstance(kernel_size, int)
                or kernel_size < 1):
            raise ValueError(
                f'kernel_size must be an integer >= 1, got {kernel_size!r}')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.ratio = ratio
        init_channels = math.ceil(out_channels / ratio)
        ghost_channels = init_channels * (ratio - 1)
        self.primary_conv = self._conv_norm_act(
            in_channels, init_channels, kernel_size, stride, 1, conv_cfg,
            norm_cfg, act_cfg)
        self.cheap_operation = self._conv_norm_act(
            init_channels, ghost_channels, dw_size, 1, init_channels,
            conv_cfg, norm_cfg, act_cfg)

    @staticmethod
    def _conv_norm_act(in_ch: int, out_ch: int, kernel: int, stride: int,
                       groups: int, conv_cfg: OptConfigType,
                       norm_cfg: ConfigType,
                       act_cfg: OptConfigType) -> nn.Sequential:
        conv = build_conv_layer(
            conv_cfg, in_ch, out_ch, kernel, stride=stride,
            padding=kernel // 2, groups=groups, bias=False)
        norm = build_norm_layer(norm_cfg, out_ch)[1]
        act = build_activation_layer(act_cfg) if act_cfg else nn.Identity()
        return nn.Sequential(conv, norm, act)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        intrinsic = self.primary_conv(x)
        ghost = self.cheap_operation(intrinsic)
        out = torch.cat([intrinsic, ghost], dim=1)
        # ratio 2 and an even width (GhostNet's) cut nothing
        return (out if out.shape[1] == self.out_channels
                else out[:, :self.out_channels])

