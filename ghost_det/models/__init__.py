from .backbones import GhostNet
from .layers import GhostBottleneck, GhostModule, SqueezeExcite

__all__ = ['GhostNet', 'GhostModule', 'GhostBottleneck', 'SqueezeExcite']
