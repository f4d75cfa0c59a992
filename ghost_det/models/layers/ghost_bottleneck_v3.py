"""Ghost bottleneck of GhostNetV3: re-parameterisable stride-2 depthwise conv."""
import torch.nn as nn
from mmdet.utils import ConfigType, OptConfigType

from .ghost_bottleneck import GhostBottleneck
from .ghost_module_v3 import GhostModuleV3
from .rep_branches import RepBranches


class GhostBottleneckV3(GhostBottleneck):
    """A :class:`GhostBottleneck` of :class:`GhostModuleV3` whose stride-2
    depthwise conv + norm is :class:`RepBranches` (3 depthwise branches and
    a depthwise 1x1 one; ``bn_dw`` is then the identity). Arguments as
    GhostBottleneck."""

    def __init__(self,
                 in_channels: int,
                 mid_channels: int,
                 out_channels: int,
                 dw_kernel_size: int = 3,
                 stride: int = 1,
                 se_ratio: float = 0.,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = dict(type='ReLU'),
                 with_cp: bool = False,
                 ghost_module: type = GhostModuleV3,
                 expand_module=None,
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(in_channels, mid_channels, out_channels,
                         dw_kernel_size, stride, se_ratio, conv_cfg,
                         norm_cfg, act_cfg, with_cp, ghost_module,
                         expand_module, init_cfg)
        if stride > 1:
            self.conv_dw = RepBranches(
                mid_channels, mid_channels, dw_kernel_size, stride,
                groups=mid_channels, conv_cfg=conv_cfg, norm_cfg=norm_cfg,
                act_cfg=None)
            self.bn_dw = nn.Identity()
