from .ghost_bottleneck import GhostBottleneck
from .ghost_module import GhostModule
from .ghost_module_v2 import GhostModuleV2
from .rep_ghost_module import RepGhostModule
from .squeeze_excite import SqueezeExcite

__all__ = ['GhostModule', 'GhostModuleV2', 'GhostBottleneck',
           'RepGhostModule', 'SqueezeExcite']
