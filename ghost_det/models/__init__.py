from .backbones import GhostNet, RepGhostNet
from .layers import GhostBottleneck, GhostModule, RepGhostModule, SqueezeExcite

__all__ = ['GhostNet', 'RepGhostNet', 'GhostModule', 'GhostBottleneck',
           'RepGhostModule', 'SqueezeExcite']
