"""Ghost module (GhostNet paper, Sec. 3.1): a plug-in replacement for a conv layer."""
import math
from typing import List

import torch
import torch.nn as nn
from mmcv.cnn import build_activation_layer, build_conv_layer, build_norm_layer
from mmcv.cnn.utils import fuse_conv_bn
from mmdet.utils import ConfigType, OptConfigType
from mmengine.model import BaseModule

from .channel_layout import ChannelLayout, SplitConv, each, round_up


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
        self.deploy = False
        self.trim = True  # cut the concat to out_channels
        self.parts_io = False  # deploy: lists of part tensors in and out
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

    def switch_to_deploy(self) -> None:
        """Inference-only and exact: BatchNorm folded into the convs
        (mmcv's ``fuse_conv_bn``), and the output slice dropped where it
        cuts nothing (always, for ratio 2 and even widths)."""
        fuse_conv_bn(self)
        self.trim = self._concat_channels != self.out_channels
        self.deploy = True

    @property
    def _concat_channels(self) -> int:
        return (self.primary_conv[0].out_channels
                + self.cheap_operation[0].out_channels)

    def relayout(self, in_layout: ChannelLayout, pad_to: int,
                 split: bool) -> ChannelLayout:
        """Deploy this module inside a relaid network: take the parts of
        ``in_layout`` (a list of tensors), pad the intrinsic and ghost halves
        to multiples of ``pad_to``, return them as two parts (``split``) or
        one, and say where the outputs sit (see :class:`ChannelLayout`).
        Ratio 2 only (GhostNet's)."""
        if self.ratio != 2:
            raise ValueError('only ratio-2 Ghost modules can be relaid')
        self.switch_to_deploy()
        init = self.primary_conv[0].out_channels
        intrinsic = ChannelLayout.padded(init, round_up(init, pad_to))
        self.primary_conv[0] = SplitConv(self.primary_conv[0], in_layout,
                                         intrinsic)
        self.cheap_operation[0] = SplitConv(self.cheap_operation[0],
                                            intrinsic, intrinsic)
        self.split = split
        self.parts_io = True
        return ChannelLayout.ghost(self.out_channels, pad_to, split)

    def _forward_parts(self, x: List[torch.Tensor]) -> List[torch.Tensor]:
        intrinsic = each(self.primary_conv[2], self.primary_conv[0](x))
        ghost = each(self.cheap_operation[2], self.cheap_operation[0](
            intrinsic))
        if self.split:
            return intrinsic + ghost
        return [torch.cat(intrinsic + ghost, dim=1)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.parts_io:
            return self._forward_parts(x)
        intrinsic = self.primary_conv(x)
        ghost = self.cheap_operation(intrinsic)
        out = torch.cat([intrinsic, ghost], dim=1)
        return out[:, :self.out_channels] if self.trim else out

