"""Inference-only, exact rewrites of whole models (backbone or detector).

Generic rewrites, applied to every backbone alike:
  * :func:`drop_unused_layers`: mmdet's MobileNetV2 and mmpretrain's
    MobileNetV3 run their last 1x1 conv although no output uses it;
  * BatchNorm folded into the preceding conv (mmcv's ``fuse_conv_bn``).
GhostNet's own: :mod:`ghost_det.deploy.ghostnet` (zero-padded or split
Ghost halves), through :func:`deploy_model` or :meth:`GhostNet.switch_to_deploy`.
"""
from typing import Optional, Sequence

import torch.nn as nn
from mmcv.cnn.utils import fuse_conv_bn

from ..models import GhostNet
from .ghostnet import (
    deploy_ghostnet,
    fold_outputs_into_neck,
    neck_reads_parts,
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
    Ghost-family backbone without a concat layout (RepGhostNet, GhostNetV2,
    GhostNetV3) deploys by its ``switch_to_deploy()``, GhostNet gets
    :func:`~ghost_det.deploy.ghostnet.deploy_ghostnet` with ``layout``
    (default: the one measured fastest on ``engine`` at ``input_size``, see
    :func:`~ghost_det.deploy.ghostnet.default_layout`), then
    :func:`fold_norms` folds BatchNorm everywhere else. In a detector whose
    neck is mmdet's FPN, a relaid backbone's output gathers are folded into
    the FPN's convs, so no gather op remains. Returns ``model``."""
    model.eval()
    for m in [m for m in model.modules()  # one rewrite for every engine
              if isinstance(m, GhostNet) and not m.relayable
              and not m.deploy]:
        m.switch_to_deploy(engine, layout, input_size)
    backbone, neck = getattr(model, 'backbone', None), getattr(
        model, 'neck', None)
    if isinstance(backbone, GhostNet) and not backbone.deploy:
        chosen = resolve_layout(backbone, engine, layout, input_size)
        if chosen.relaid and neck_reads_parts(neck):
            layouts = deploy_ghostnet(backbone, chosen, gather_outputs=False)
            fold_outputs_into_neck(neck, layouts)
    for m in [m for m in model.modules()
              if isinstance(m, GhostNet) and not m.deploy]:
        deploy_ghostnet(m, resolve_layout(m, engine, layout, input_size))
    return fold_norms(model)
