from .conv_norm_act import ConvNormAct
from .ghost_bottleneck import GhostBottleneck
from .ghost_bottleneck_v3 import GhostBottleneckV3
from .ghost_module import GhostModule
from .ghost_module_v2 import GhostModuleV2
from .ghost_module_v3 import GhostModuleV3, GhostModuleV3DFC
from .rep_branches import RepBranches
from .rep_ghost_module import RepGhostModule
from .squeeze_excite import SqueezeExcite

__all__ = ['ConvNormAct', 'GhostModule', 'GhostModuleV2', 'GhostModuleV3',
           'GhostModuleV3DFC', 'GhostBottleneck', 'GhostBottleneckV3',
           'RepBranches', 'RepGhostModule', 'SqueezeExcite']
