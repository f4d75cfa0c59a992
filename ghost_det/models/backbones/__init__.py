from ghost_det.utils.mmpretrain_compat import import_mmpretrain

from .ghostnet import GhostNet
from .ghostnetv2 import GhostNetV2
from .ghostnetv3 import GhostNetV3
from .repghostnet import RepGhostNet

__all__ = ['GhostNet', 'GhostNetV2', 'GhostNetV3', 'RepGhostNet']

# Also reachable from mmpretrain (type='mmpretrain.GhostNet') for
# classification, when mmpretrain is installed.
if import_mmpretrain() is not None:
    from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS
    for _backbone in (GhostNet, GhostNetV2, GhostNetV3, RepGhostNet):
        MMPRETRAIN_MODELS.register_module(module=_backbone)
