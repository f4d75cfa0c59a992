"""Inference-only, exact rewrites of whole models (backbone or detector).

Generic rewrites, applied to every backbone alike:
  * :func:`drop_unused_layers`: mmdet's MobileNetV2 and mmpretrain's
    MobileNetV3 run their last 1x1 conv although no output uses it;
  * BatchNorm folded into the preceding conv (mmcv's ``fuse_conv_bn``).
GhostNet's own: :meth:`GhostNet.switch_to_deploy` (zero-padded Ghost halves,
no-op slices dropped).
"""
from typing import Optional

import torch.nn as nn
from mmcv.cnn.utils import fuse_conv_bn

from ..models import GhostNet


def drop_unused_layers(model: nn.Module) -> nn.Module:
    """Stop backbones that list their layers by name (``layers`` and
    ``out_indices``, as mmdet's MobileNetV2 and mmpretrain's MobileNetV3 do)
    from running layers after their last output."""
    for m in model.modules():
        layers, out_indices = (getattr(m, 'layers', None),
                               getattr(m, 'out_indices', None))
        if (isinstance(layers, list) and out_indices
                and all(isinstance(name, str) for name in layers)):
            m.layers = layers[:max(out_indices) + 1]
    return model


def fold_norms(model: nn.Module) -> nn.Module:
    """Generic deploy: eval mode, unused layers dropped, every BatchNorm
    that follows a conv folded into it. Returns ``model``."""
    model.eval()
    drop_unused_layers(model)
    return fuse_conv_bn(model)


def deploy_model(model: nn.Module, pad_to: Optional[int] = 16,
                 split: bool = False) -> nn.Module:
    """:func:`fold_norms`, then GhostNet's own deploy path on every GhostNet
    inside ``model`` (:meth:`GhostNet.switch_to_deploy`; ``pad_to=None``
    skips it). In place; returns ``model``."""
    model.eval()
    if pad_to is not None:
        for m in [m for m in model.modules() if isinstance(m, GhostNet)]:
            m.switch_to_deploy(pad_to=pad_to, split=split)
    return fold_norms(model)
