from .backbones import GhostNet, GhostNetV2, GhostNetV3, RepGhostNet
from .layers import (
    ConvNormAct,
    GhostBottleneck,
    GhostBottleneckV3,
    GhostModule,
    GhostModuleV2,
    GhostModuleV3,
    GhostModuleV3DFC,
    RepBranches,
    RepGhostModule,
    SqueezeExcite,
)

__all__ = ['GhostNet', 'GhostNetV2', 'GhostNetV3', 'RepGhostNet',
           'ConvNormAct', 'GhostModule', 'GhostModuleV2', 'GhostModuleV3',
           'GhostModuleV3DFC', 'GhostBottleneck', 'GhostBottleneckV3',
           'RepBranches', 'RepGhostModule', 'SqueezeExcite']
