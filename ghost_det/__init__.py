"""GhostNet for MMDetection. Importing this package registers everything."""
from .config_scope import register_config_scope
from .utils import allow_mmengine_checkpoints, import_mmpretrain

__version__ = '0.1.0'

# Before mmdet.models, which imports mmpretrain and breaks beside
# transformers >= 5 (see ghost_det/utils/mmpretrain_compat.py).
import_mmpretrain()
# torch >= 2.6 loads with weights_only=True; let mmengine's own checkpoints
# (message hub, numpy scalars, ...) through by name, nothing else.
allow_mmengine_checkpoints()
# _base_ = 'ghost_det::...' in configs outside this checkout
register_config_scope()

from . import deploy, hooks, loops, models  # noqa: E402,F401  (registers)
