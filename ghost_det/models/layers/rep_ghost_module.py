"""RepGhost module ("RepGhost: A Hardware-Efficient Ghost Module via
Re-parameterization", 2022): the Ghost module with its concat replaced by
an add that re-parameterises into the cheap conv."""
from typing import Optional

import torch
import torch.nn as nn
from mmcv.cnn import build_activation_layer, build_conv_layer, build_norm_layer
from mmcv.cnn.utils import fuse_conv_bn
from mmdet.utils import ConfigType, OptConfigType
from mmengine.model import BaseModule

from .fuse import norm_scale_shift


class RepGhostModule(BaseModule):
    """``out_channels`` maps: a 1x1 primary conv + norm + act, then the sum
    of a cheap ``dw_size`` depthwise conv + norm of them and a norm of them
    (the identity branch, which re-parameterisation folds into the cheap
    conv), then the activation. Unless ``act_cfg`` is None; then linear.
    Submodule names match timm's ``repghostnet_*`` (``primary_conv.{0,1}``,
    ``fusion_bn.0``, ``cheap_operation.{0,1}``).

    :meth:`switch_to_deploy` re-parameterises it into 1x1 conv, act,
    depthwise conv, act.

    Args:
        in_channels: Input channels.
        out_channels: Output channels (the primary and the cheap conv's).
        dw_size: Cheap depthwise kernel, odd. Default 3.
        conv_cfg, norm_cfg, act_cfg: Layer configs (mmcv style).
        deploy: Build the re-parameterised form (to load its weights).
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 dw_size: int = 3,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: OptConfigType = dict(type='ReLU'),
                 deploy: bool = False,
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if (isinstance(dw_size, bool) or not isinstance(dw_size, int)
                or dw_size < 1 or dw_size % 2 == 0):
            raise ValueError(
                f'dw_size must be an odd integer >= 1, got {dw_size!r}')
        self.in_channels = in_channels
        self.out_channels = out_channels

        def act() -> nn.Module:
            return build_activation_layer(act_cfg) if act_cfg else (
                nn.Identity())

        self.primary_conv = nn.Sequential(
            build_conv_layer(conv_cfg, in_channels, out_channels, 1,
                             bias=False),
            build_norm_layer(norm_cfg, out_channels)[1], act())
        self.fusion_bn: Optional[nn.Module] = nn.Sequential(
            build_norm_layer(norm_cfg, out_channels)[1])
        self.cheap_operation = nn.Sequential(
            build_conv_layer(conv_cfg, out_channels, out_channels, dw_size,
                             padding=dw_size // 2, groups=out_channels,
                             bias=False),
            build_norm_layer(norm_cfg, out_channels)[1])
        self.act = act()
        self.deploy = False
        if deploy:
            self.switch_to_deploy()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.primary_conv(x)
        out = self.cheap_operation(x)
        if self.fusion_bn is not None:
            out = out + self.fusion_bn(x)
        return self.act(out)

    def switch_to_deploy(self) -> None:
        """Fold every BatchNorm into its conv (eval statistics) and the
        identity branch into the cheap conv's centre taps, in place. Exact
        up to float rounding; inference only."""
        if self.deploy:
            return
        fuse_conv_bn(self.primary_conv)
        fuse_conv_bn(self.cheap_operation)
        scale, shift = norm_scale_shift(self.fusion_bn[0])
        cheap = self.cheap_operation[0]
        k = cheap.kernel_size[0] // 2
        with torch.no_grad():
            cheap.weight[:, 0, k, k] += scale
            cheap.bias += shift
        self.fusion_bn = None
        self.deploy = True
