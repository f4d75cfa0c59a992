"""GhostNet for MMDetection. Importing this package registers everything."""
from .utils import (
    allow_mmengine_checkpoints,
    import_mmpretrain,
    register_config_scope,
)
from .version import __version__

# Before mmdet.models, which imports mmpretrain and breaks beside
# transformers >= 5 (see ghost_det/utils/mmpretrain_compat.py).
import_mmpretrain()
# torch >= 2.6 loads with weights_only=True; let mmengine's own checkpoints
# (message hub, numpy scalars, ...) through by name, nothing else.
allow_mmengine_checkpoints()
# _base_ = 'ghost_det::...' in configs outside this checkout
register_config_scope()

from . import engine, models  # noqa: E402,F401  (registers)

__all__ = ['__version__']
