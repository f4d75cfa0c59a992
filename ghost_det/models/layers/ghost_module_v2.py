"""Ghost module with DFC attention (GhostNetV2, NeurIPS 2022)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_conv_layer, build_norm_layer
from mmdet.utils import ConfigType, OptConfigType

from .ghost_module import GhostModule


class GhostModuleV2(GhostModule):
    """A :class:`GhostModule` whose output is gated by decoupled
    fully-connected (DFC) attention: on the input average-pooled 2x2, a
    ``kernel_size`` conv + norm, a 1x5 and a 5x1 depthwise conv + norm
    (long-range horizontal and vertical mixing), a sigmoid, upsampled
    (nearest) to the output's size. Names match timm's ``ghostnetv2_*``
    (``short_conv.0`` - ``short_conv.5``). Arguments as GhostModule."""

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
        super().__init__(in_channels, out_channels, kernel_size, ratio,
                         dw_size, stride, conv_cfg, norm_cfg, act_cfg,
                         init_cfg)

        def conv(cin: int, kernel, padding, groups: int = 1) -> nn.Module:
            return build_conv_layer(conv_cfg, cin, out_channels, kernel,
                                    stride=1, padding=padding,
                                    groups=groups, bias=False)

        def norm() -> nn.Module:
            return build_norm_layer(norm_cfg, out_channels)[1]

        first = build_conv_layer(conv_cfg, in_channels, out_channels,
                                 kernel_size, stride=stride,
                                 padding=kernel_size // 2, bias=False)
        self.short_conv = nn.Sequential(
            first, norm(),
            conv(out_channels, (1, 5), (0, 2), out_channels), norm(),
            conv(out_channels, (5, 1), (2, 0), out_channels), norm())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate = self.short_conv(F.avg_pool2d(x, kernel_size=2, stride=2))
        out = super().forward(x)
        return out * F.interpolate(gate.sigmoid(), size=out.shape[-2:],
                                   mode='nearest')
