"""Convert official / timm GhostNet ImageNet weights to ghost_det's layout.

The output is an mmpretrain-style classifier checkpoint: ``backbone.*`` keys
for :class:`ghost_det.models.GhostNet` and ``head.*`` keys for mmpretrain's
``StackedLinearClsHead`` (the 1280 head conv becomes a linear layer). A
detector loads the backbone part with
``init_cfg=dict(type='Pretrained', checkpoint=PATH, prefix='backbone.')``.
"""
import re
from collections import OrderedDict
from typing import Dict, List, Mapping, Tuple

import torch

BACKBONE_KEY = re.compile(r'^(conv_stem|bn1|blocks)\.')
HEAD_KEYS = {
    'conv_head.weight': 'head.layers.0.fc.weight',
    'conv_head.bias': 'head.layers.0.fc.bias',
    'classifier.weight': 'head.layers.1.fc.weight',
    'classifier.bias': 'head.layers.1.fc.bias',
}
WRAPPER_KEYS = ('state_dict', 'model', 'state_dict_ema', 'model_ema')
# Counters that the thop profiler leaves in some released checkpoints.
PROFILER_KEY = re.compile(r'(^|\.)total_(ops|params)$')


def unwrap_state_dict(obj: Mapping) -> Dict[str, torch.Tensor]:
    """Return the tensor dict inside a checkpoint, without 'module.'."""
    for key in WRAPPER_KEYS:
        if key in obj and isinstance(obj[key], Mapping):
            obj = obj[key]
            break
    return OrderedDict(
        (k[len('module.'):] if k.startswith('module.') else k, v)
        for k, v in obj.items())


def convert_state_dict(
        state_dict: Mapping) -> Tuple['OrderedDict[str, torch.Tensor]',
                                      List[str]]:
    """Map official/timm GhostNet keys to ``backbone.*`` / ``head.*``.

    Returns the converted dict and the source keys that could not be placed
    (thop profiler counters such as ``total_ops`` are dropped silently).
    """
    state_dict = unwrap_state_dict(state_dict)
    converted: 'OrderedDict[str, torch.Tensor]' = OrderedDict()
    unplaced = []
    for key, value in state_dict.items():
        if PROFILER_KEY.search(key):
            continue
        if BACKBONE_KEY.match(key):
            converted['backbone.' + key] = value
        elif key in HEAD_KEYS:
            if key == 'conv_head.weight':
                value = value.flatten(1)
            converted[HEAD_KEYS[key]] = value
        else:
            unplaced.append(key)
    return converted, unplaced


def infer_widen_factor(state_dict: Mapping) -> float:
    """Guess the width multiplier from the width of ``blocks.9``."""
    key = next((k for k in state_dict
                if k.endswith('blocks.9.0.conv.weight')), None)
    if key is None:
        raise KeyError('no blocks.9.0.conv.weight: not a GhostNet checkpoint')
    return round(state_dict[key].shape[0] / 960, 2)
