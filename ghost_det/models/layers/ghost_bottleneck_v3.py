"""Ghost bottleneck of GhostNetV3: re-parameterisable stride-2 depthwise conv."""
from typing import Tuple

import torch.nn as nn
from mmdet.utils import ConfigType, OptConfigType

from .ghost_bottleneck import GhostBottleneck
from .ghost_module_v3 import GhostModuleV3
from .rep_branches import RepBranches


class GhostBottleneckV3(GhostBottleneck):
    """A :class:`GhostBottleneck` of :class:`GhostModuleV3` whose stride-2
    depthwise conv + norm is :class:`RepBranches` (3 depthwise branches and
    a depthwise 1x1 one; ``bn_dw`` is then the identity). Arguments as
    GhostBottleneck, ``ghost_module`` defaulting to GhostModuleV3."""

    def __init__(self, *args, ghost_module: type = GhostModuleV3,
                 **kwargs) -> None:
        super().__init__(*args, ghost_module=ghost_module, **kwargs)

    @staticmethod
    def _depthwise(channels: int, kernel: int, stride: int,
                   conv_cfg: OptConfigType,
                   norm_cfg: ConfigType) -> Tuple[nn.Module, nn.Module]:
        return RepBranches(channels, channels, kernel, stride,
                           groups=channels, conv_cfg=conv_cfg,
                           norm_cfg=norm_cfg, act_cfg=None), nn.Identity()
