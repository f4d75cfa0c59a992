from ghost_det.utils.mmpretrain_compat import import_mmpretrain

from .ghostnet import GhostNet
from .repghostnet import RepGhostNet

__all__ = ['GhostNet', 'RepGhostNet']

# Also reachable from mmpretrain (type='mmpretrain.GhostNet') for
# classification, when mmpretrain is installed.
if import_mmpretrain() is not None:
    from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS
    for _backbone in (GhostNet, RepGhostNet):
        MMPRETRAIN_MODELS.register_module(module=_backbone)
