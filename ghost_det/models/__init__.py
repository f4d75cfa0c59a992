from .backbones import GhostNet, GhostNetV2, RepGhostNet
from .layers import (
    GhostBottleneck,
    GhostModule,
    GhostModuleV2,
    RepGhostModule,
    SqueezeExcite,
)

__all__ = ['GhostNet', 'GhostNetV2', 'RepGhostNet', 'GhostModule',
           'GhostModuleV2', 'GhostBottleneck', 'RepGhostModule',
           'SqueezeExcite']
