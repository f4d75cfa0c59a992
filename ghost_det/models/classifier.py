"""GhostNet as an ImageNet classifier, built with mmpretrain's parts."""
from typing import Dict


def ghostnet_classifier_cfg(widen_factor: float = 1.0,
                            num_classes: int = 1000,
                            backbone: str = 'GhostNet') -> Dict:
    """mmpretrain ``ImageClassifier`` config matching the official GhostNet.

    The official head is global pool -> 1x1 conv to 1280 (bias, no norm)
    -> ReLU -> dropout 0.2 -> FC; on pooled features the 1x1 conv is a
    linear layer, so mmpretrain's ``StackedLinearClsHead`` is the same head.
    Converted checkpoints load into it with no missing keys. ``backbone``:
    any Ghost-family backbone (``RepGhostNet``, ``GhostNetV2``,
    ``GhostNetV3``), whose timm classifiers have the same head.
    """
    from . import backbones
    last = getattr(backbones, backbone).last_width(widen_factor)
    return dict(
        type='mmpretrain.ImageClassifier',
        backbone=dict(type=f'mmpretrain.{backbone}', widen_factor=widen_factor,
                      out_indices=(9, )),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(
            type='mmpretrain.StackedLinearClsHead',
            num_classes=num_classes,
            in_channels=last,
            mid_channels=[1280],
            dropout_rate=0.2,
            act_cfg=dict(type='ReLU'),
            loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0),
            topk=(1, 5)))


def build_ghostnet_classifier(widen_factor: float = 1.0,
                              num_classes: int = 1000,
                              backbone: str = 'GhostNet'):
    """Build the classifier with mmpretrain's registry and default scope."""
    from mmengine.registry import DefaultScope

    from ghost_det.utils.mmpretrain_compat import import_mmpretrain
    if import_mmpretrain() is None:
        raise ImportError('the GhostNet classifier is built from mmpretrain '
                          'parts: pip install "mmpretrain>=1.2.0,<1.3.0"')
    from mmpretrain.registry import MODELS
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(ghostnet_classifier_cfg(widen_factor, num_classes,
                                                    backbone))
