"""Ghost modules of GhostNetV3 ("GhostNetV3: Exploring the Training
Strategies for Compact Models", 2024): re-parameterisable branches in
place of each conv + norm."""
import torch.nn as nn
from mmdet.utils import ConfigType, OptConfigType

from .ghost_module import GhostModule
from .ghost_module_v2 import GhostModuleV2
from .rep_branches import RepBranches


def rep_conv_norm_act(in_ch: int, out_ch: int, kernel: int, stride: int,
                      groups: int, conv_cfg: OptConfigType,
                      norm_cfg: ConfigType,
                      act_cfg: OptConfigType) -> nn.Module:
    """GhostNetV3's stand-in for a conv + norm + act: three parallel
    branches, plus the scale and identity branches where they apply."""
    return RepBranches(in_ch, out_ch, kernel, stride, groups,
                       num_branches=3, conv_cfg=conv_cfg, norm_cfg=norm_cfg,
                       act_cfg=act_cfg)


class GhostModuleV3(GhostModule):
    """A :class:`GhostModule` whose primary and cheap convs are
    :class:`RepBranches` (3 primary 1x1 branches; 3 cheap depthwise
    branches, a depthwise 1x1 and an identity branch). Arguments as
    GhostModule. Deploy merges the branches: it is then a GhostModule."""

    _conv_norm_act = staticmethod(rep_conv_norm_act)


class GhostModuleV3DFC(GhostModuleV2):
    """:class:`GhostModuleV3` gated by GhostNetV2's DFC attention (whose
    convs are plain), as in GhostNetV3's expansions after the first two."""

    _conv_norm_act = staticmethod(rep_conv_norm_act)
