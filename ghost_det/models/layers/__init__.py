from .ghost_bottleneck import GhostBottleneck
from .ghost_module import GhostModule
from .squeeze_excite import SqueezeExcite

__all__ = ['GhostModule', 'GhostBottleneck', 'SqueezeExcite']
