"""GhostNet state-dict layouts: key names, conversion, family and width.

:func:`convert_state_dict` turns official / timm ImageNet weights into an
mmpretrain-style classifier checkpoint: ``backbone.*`` keys for
:class:`ghost_det.models.GhostNet` and ``head.*`` keys for mmpretrain's
``StackedLinearClsHead`` (the 1280 head conv becomes a linear layer).
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


# timm's GhostNetV3 keeps its branches flat in each module; ours group them
# in RepBranches: ghost1.primary_rpr_conv.0 -> ghost1.primary_conv.rpr_conv.0,
# cheap_rpr_* -> cheap_operation.rpr_*, dw_rpr_* -> conv_dw.rpr_*. The
# official GhostNetV3 release names each branch's norm 'bn', timm 'bn1'.
V3_BRANCHES = re.compile(r'\.(primary|cheap|dw)_rpr_(conv|scale|skip)\b')
V3_OWNER = {'primary': 'primary_conv', 'cheap': 'cheap_operation',
            'dw': 'conv_dw'}


def _own_key(key: str) -> str:
    if key.startswith('module.'):
        key = key[len('module.'):]
    if '_rpr_' not in key:
        return key
    key = V3_BRANCHES.sub(
        lambda m: f'.{V3_OWNER[m.group(1)]}.rpr_{m.group(2)}', key)
    return re.sub(r'(\.rpr_(?:conv\.\d+|scale))\.bn\.', r'\1.bn1.', key)


def unwrap_state_dict(obj: Mapping) -> Dict[str, torch.Tensor]:
    """Return the tensor dict inside a checkpoint, without 'module.', with
    timm's / the official GhostNetV3 branch names in ours."""
    for key in WRAPPER_KEYS:
        if key in obj and isinstance(obj[key], Mapping):
            obj = obj[key]
            break
    return OrderedDict((_own_key(k), v) for k, v in obj.items())


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


def infer_family(state_dict: Mapping) -> str:
    """``'RepGhostNet'`` for RepGhost weights (their modules have an
    identity-branch BatchNorm, ``fusion_bn``), ``'GhostNetV3'`` for weights
    with parallel branches (``rpr_conv``), ``'GhostNetV2'`` for weights
    with DFC attention only (``short_conv``), else ``'GhostNet'``."""
    if any('.fusion_bn.' in k for k in state_dict):
        return 'RepGhostNet'
    if any('_rpr_conv.' in k or '.rpr_conv.' in k for k in state_dict):
        return 'GhostNetV3'
    if any('.short_conv.' in k for k in state_dict):
        return 'GhostNetV2'
    return 'GhostNet'


def infer_widen_factor(state_dict: Mapping) -> float:
    """Guess the width multiplier from the width of ``blocks.9`` (960 times
    the width in GhostNet and RepGhostNet alike)."""
    key = next((k for k in state_dict
                if k.endswith('blocks.9.0.conv.weight')), None)
    if key is None:
        raise KeyError('no blocks.9.0.conv.weight: not a GhostNet checkpoint')
    return round(state_dict[key].shape[0] / 960, 2)
