from .ghost_bottleneck import GhostBottleneck
from .ghost_module import GhostModule
from .rep_ghost_module import RepGhostModule
from .squeeze_excite import SqueezeExcite

__all__ = ['GhostModule', 'GhostBottleneck', 'RepGhostModule', 'SqueezeExcite']
