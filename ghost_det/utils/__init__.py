from .checkpoint_safety import allow_mmengine_checkpoints
from .config_scope import register_config_scope
from .mmpretrain_compat import import_mmpretrain

__all__ = ['allow_mmengine_checkpoints', 'import_mmpretrain',
           'register_config_scope']
