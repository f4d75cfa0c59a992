from ghost_det.utils.mmpretrain_compat import import_mmpretrain

from .ghostnet import GhostNet

__all__ = ['GhostNet']

# Also reachable from mmpretrain (type='mmpretrain.GhostNet') for
# classification, when mmpretrain is installed.
if import_mmpretrain() is not None:
    from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS
    MMPRETRAIN_MODELS.register_module(module=GhostNet)
