"""Inference-only, exact rewrites of whole models (backbone or detector).

Generic rewrites, applied to every backbone alike:
  * :func:`drop_unused_layers`: mmdet's MobileNetV2 and mmpretrain's
    MobileNetV3 run their last 1x1 conv although no output uses it;
  * BatchNorm folded into the preceding conv (mmcv's ``fuse_conv_bn``).
Ghost-family backbones deploy by their own ``switch_to_deploy()``;
GhostNet's channel layouts (zero-padded or split Ghost halves) are
:func:`~ghost_det.deploy.ghostnet.relayout`, chosen per engine by
:func:`deploy_model`.
"""
from typing import Optional, Sequence

import torch.nn as nn
from mmcv.cnn.utils import fuse_conv_bn

from ..models import GhostNet
from .ghostnet import (
    fold_outputs_into_neck,
    neck_reads_parts,
    relayout,
    resolve_layout,
)


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


def deploy_model(model: nn.Module, engine: str = 'pytorch',
                 layout: Optional[str] = None,
                 input_size: Optional[Sequence[int]] = None) -> nn.Module:
    """Deploy a backbone or a detector for ``engine``, in place: every
    Ghost-family backbone by its ``switch_to_deploy()``; GhostNet's own
    relaid (:func:`~ghost_det.deploy.ghostnet.relayout`) with ``layout``
    (default: the one measured fastest on ``engine`` at ``input_size``, see
    :func:`~ghost_det.deploy.ghostnet.default_layout`); then
    :func:`fold_norms` folds BatchNorm everywhere else. In a detector whose
    neck is mmdet's FPN, a relaid backbone's output gathers are folded into
    the FPN's convs, so no gather op remains. Returns ``model``."""
    model.eval()
    neck = getattr(model, 'neck', None)
    for m in [m for m in model.modules() if isinstance(m, GhostNet)]:
        chosen = resolve_layout(m, engine, layout, input_size)
        into_neck = (chosen.relaid and m is getattr(model, 'backbone', None)
                     and neck_reads_parts(neck))
        layouts = relayout(m, chosen, gather_outputs=not into_neck)
        if into_neck:
            fold_outputs_into_neck(neck, layouts)
    return fold_norms(model)
