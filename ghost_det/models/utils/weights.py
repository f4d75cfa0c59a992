"""Strict loading of GhostNet backbone weights.

:func:`load_pretrained_backbone` is what a GhostNet ``init_cfg=dict(
type='Pretrained', ...)`` runs: it finds the backbone in any layout users
hold (official, timm, converted, mmpretrain classifier, mmdet detector),
widens narrower GhostNet weights when asked (:mod:`.widen`) and loads every
tensor, or raises an error that names the file, what does not fit and the
fix, before training starts.
"""
import os
import os.path as osp
import re
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn

from .layout import (
    BACKBONE_KEY,
    PROFILER_KEY,
    infer_family,
    infer_widen_factor,
    unwrap_state_dict,
)
from .widen import widen_state_dict

# --------------------------------------------------------------------------
# Strict loading for ``init_cfg=dict(type='Pretrained', ...)``

HOW_TO_GET_WEIGHTS = """\
Ways to get GhostNet ImageNet weights (docs/weights.md):
  - GhostNet-1.0x: the official weights; configs/ghostnet/*_ghostnet-1.0x_*
    download them, or convert a local copy:
      python tools/model_converters/convert_ghostnet_weights.py state_dict_73.98.pth \\
          checkpoints/ghostnet-1.0x_in1k.pth
  - 1.1x (the paper's Table 8) or any width above 1.0x: the official 1.0x
    weights widened on load, the 1.0x function in the wider shape (what the
    1.1x configs do): init_cfg=dict(type='Pretrained', checkpoint=...,
    widen=dict(noise=0.1)), or once for all:
      python tools/model_converters/convert_ghostnet_weights.py state_dict_73.98.pth \\
          checkpoints/ghostnet-1.1x_in1k.pth --widen-to 1.1 --noise 0.1
  - any width: pretrain on ImageNet, then copy the last checkpoint to the
    path in init_cfg:
      python tools/train.py configs/pretrain/ghostnet-1.1x_8xb128_in1k.py
      cp work_dirs/ghostnet-1.1x_8xb128_in1k/epoch_300.pth \\
          checkpoints/ghostnet-1.1x_in1k.pth"""
# Keys a bare (official/timm) GhostNet state dict may hold that the backbone
# does not: the classifier head. Nothing else is ever skipped.
CLASSIFIER_HEAD_KEY = re.compile(r'^(conv_head|classifier)\.')
SHOWN = 5  # list at most this many keys of each kind in an error


class PretrainedWeightsError(RuntimeError):
    """A GhostNet checkpoint that cannot initialise the backbone."""


def _is_remote(filename: str) -> bool:
    return '://' in filename or filename.startswith(
        ('open-mmlab:', 'openmmlab:', 'mmcls:', 'torchvision:'))


def cached_download(url: str) -> str:
    """``url`` downloaded once into torch's hub cache (``checkpoints/``, as
    mmengine's HTTP loader does), named after the whole address: hub
    addresses end alike (``.../resolve/main/model.safetensors``)."""
    name = re.sub(r'[^A-Za-z0-9._-]+', '_', url.split('://', 1)[-1])
    path = osp.join(torch.hub.get_dir(), 'checkpoints', name)
    if not osp.isfile(path):
        os.makedirs(osp.dirname(path), exist_ok=True)
        torch.hub.download_url_to_file(url, path, progress=True)
    return path


def load_safetensors(filename: str, map_location='cpu') -> Mapping:
    """A ``.safetensors`` file (path or http(s) address; timm's hub weights
    are stored so) as a state dict."""
    from safetensors.torch import load_file
    if '://' in filename:
        filename = cached_download(filename)
    device = map_location if isinstance(map_location, str) else 'cpu'
    return load_file(filename, device=device)


def read_checkpoint(filename: str, map_location='cpu') -> Mapping:
    """Load ``filename`` (path or URL; ``.safetensors`` too) with mmengine's
    loaders, with errors that name the file and what to do."""
    from mmengine.runner.checkpoint import CheckpointLoader
    if filename.endswith('.safetensors') and (
            _is_remote(filename) or osp.isfile(filename)):
        return load_safetensors(filename, map_location)
    if not _is_remote(filename) and not osp.isfile(filename):
        raise FileNotFoundError(
            f'GhostNet init_cfg: checkpoint {filename!r} does not exist '
            f'(relative paths start at {osp.abspath(".")}). No GhostNet-1.1x '
            f'ImageNet weights were ever published.\n{HOW_TO_GET_WEIGHTS}')
    try:
        checkpoint = CheckpointLoader.load_checkpoint(
            filename, map_location=map_location)
    except Exception as err:  # noqa: BLE001  (re-raised with the fix)
        if _is_remote(filename):
            raise
        raise PretrainedWeightsError(
            f'GhostNet init_cfg: {filename!r} is not a checkpoint that torch '
            f'can load safely ({type(err).__name__}: '
            f'{str(err).splitlines()[0] if str(err) else ""}). Expected a '
            f'.pth file holding a GhostNet state dict.\n'
            f'{HOW_TO_GET_WEIGHTS}') from err
    if not isinstance(checkpoint, Mapping) or not any(
            isinstance(v, torch.Tensor)
            for v in unwrap_state_dict(checkpoint).values()):
        raise PretrainedWeightsError(
            f'GhostNet init_cfg: {filename!r} holds a '
            f'{type(checkpoint).__name__} without tensors, not a state '
            f'dict.\n{HOW_TO_GET_WEIGHTS}')
    return checkpoint


def _key_prefixes(keys: Sequence[str]) -> List[str]:
    """Prefixes under which a GhostNet backbone sits in ``keys``."""
    found = []
    for key in keys:
        match = re.match(r'^(.*?)(conv_stem|blocks\.\d+)\.', key)
        if match and match.group(1) and match.group(1) not in found:
            found.append(match.group(1))
    return found


def select_backbone_weights(
        checkpoint: Mapping, prefix: Optional[str]
) -> Tuple[Dict[str, torch.Tensor], str]:
    """The backbone's tensors in ``checkpoint`` and a word on the layout.

    With ``prefix`` (mmengine's meaning: the backbone sits under it, as in
    converted, classifier and detector checkpoints), the keys under it.
    A bare GhostNet state dict (official ``state_dict_73.98.pth``, timm's
    ``ghostnet_100``) loads with or without a prefix; its classifier head
    and thop's profiling counters are left out.
    """
    state_dict = unwrap_state_dict(checkpoint)
    if prefix:
        prefix = prefix if prefix.endswith('.') else prefix + '.'
        selected = {k[len(prefix):]: v for k, v in state_dict.items()
                    if k.startswith(prefix)}
        if selected:
            return ({k: v for k, v in selected.items()
                     if not PROFILER_KEY.search(k)},
                    f'the keys under {prefix!r}')
    if any(BACKBONE_KEY.match(k) for k in state_dict):
        return ({k: v for k, v in state_dict.items()
                 if not PROFILER_KEY.search(k)
                 and not CLASSIFIER_HEAD_KEY.match(k)},
                'a bare GhostNet state dict (official/timm layout)')
    found = _key_prefixes(list(state_dict))
    if found:
        where = ', '.join(repr(p) for p in found)
        fix = (f"set prefix={found[0]!r} in the backbone's init_cfg, e.g. "
               f"init_cfg=dict(type='Pretrained', checkpoint=..., "
               f"prefix={found[0]!r})")
        what = (f'no key starts with prefix {prefix!r}' if prefix else
                'init_cfg has no prefix')
        raise PretrainedWeightsError(
            f'{what}, and the GhostNet backbone in this checkpoint sits under '
            f'{where}.\nFix: {fix}.')
    some = ', '.join(list(state_dict)[:SHOWN])
    raise PretrainedWeightsError(
        f'no GhostNet backbone in this checkpoint ({len(state_dict)} '
        f'tensors, e.g. {some}); expected keys such as conv_stem.weight and '
        f'blocks.0.0.ghost1.primary_conv.0.weight, bare or under a prefix.'
        f'\n{HOW_TO_GET_WEIGHTS}')


def _listing(title: str, lines: List[str]) -> str:
    if not lines:
        return ''
    more = f'\n    ... and {len(lines) - SHOWN} more' if len(
        lines) > SHOWN else ''
    return (f'\n  {title}: {len(lines)}\n    ' + '\n    '.join(
        lines[:SHOWN]) + more)


def compare_with_model(model: nn.Module, weights: Mapping) -> str:
    """What of ``weights`` does not fit ``model``: '' when every tensor of
    the model is there with its shape and nothing else is.

    Only ``num_batches_tracked`` counters may be absent (older PyTorch did
    not save them; they do not change the computation)."""
    own = model.state_dict()
    missing = [k for k in own if k not in weights
               and not k.endswith('num_batches_tracked')]
    unexpected = [k for k in weights if k not in own]
    mismatched = [
        f'{k}: checkpoint {tuple(v.shape)}, model {tuple(own[k].shape)}'
        for k, v in weights.items()
        if k in own and tuple(v.shape) != tuple(own[k].shape)]
    return (_listing('shape mismatches', mismatched)
            + _listing('missing keys (in the model, not the checkpoint)',
                       missing)
            + _listing('unexpected keys (in the checkpoint, not the model)',
                       unexpected))


def width_name(widen_factor: float) -> str:
    """1.0 -> '1.0x', 1.1 -> '1.1x', 0.75 -> '0.75x'."""
    return f'{widen_factor:.1f}x' if round(widen_factor, 1) == round(
        widen_factor, 6) else f'{widen_factor:g}x'


def _width_advice(model: nn.Module, weights: Mapping) -> str:
    try:
        found = infer_widen_factor(weights)
    except KeyError:
        return ''
    wanted = getattr(model, 'widen_factor', None)
    if wanted is None or abs(found - wanted) < 1e-6:
        return ''
    indices = getattr(model, 'out_indices', (2, 4, 6, 8))
    channels = [type(model).channels_at(found)[i] for i in indices]
    widen = ''
    if (found < wanted and type(model).__name__ == 'GhostNet'
            and infer_family(weights) == 'GhostNet'):
        widen = (f'  - widen it to {width_name(wanted)} on load (its '
                 f'{width_name(found)} function in the wider shape, '
                 f'docs/weights.md): add widen=dict(noise=0.1) to init_cfg\n')
    return (f'\nThis checkpoint is GhostNet-{width_name(found)}; the config '
            f'asks for {width_name(wanted)} (widen_factor={wanted!r}).\n'
            f'Fix one of:\n'
            f'  - use it as a {width_name(found)} model: '
            f'model.backbone.widen_factor={found!r} and '
            f'model.neck.in_channels={channels}\n'
            f'{widen}'
            f'  - get {width_name(wanted)} weights (below)')


def widened(model: nn.Module, weights: Mapping, checkpoint: str,
            widen: Union[bool, Mapping]) -> Tuple[Mapping, str]:
    """``weights`` widened to ``model``'s shapes (see
    :func:`~ghost_det.models.utils.widen.widen_state_dict`), and a word on
    it; unchanged when they already fit. ``widen``: True or the keyword
    arguments (``noise``, ``seed``)."""
    options = dict(widen) if isinstance(widen, Mapping) else {}
    unknown = set(options) - {'noise', 'seed'}
    if unknown:
        raise PretrainedWeightsError(
            f'GhostNet init_cfg: widen takes noise and seed, got '
            f'{sorted(unknown)}; e.g. widen=dict(noise=0.1, seed=0)')
    if not compare_with_model(model, weights):
        return weights, ''
    try:
        found = width_name(infer_widen_factor(weights))
        result = widen_state_dict(weights, model.state_dict(), **options)
    except (KeyError, ValueError) as err:
        raise PretrainedWeightsError(
            f'GhostNet init_cfg: cannot widen {checkpoint!r} to this '
            f'GhostNet-{width_name(model.widen_factor)} backbone: {err}.\n'
            f'{HOW_TO_GET_WEIGHTS}') from None
    return result, (f', widened from {found} (noise '
                    f'{options.get("noise", 0.0):g})')


def load_pretrained_backbone(model: nn.Module, checkpoint: str,
                             prefix: Optional[str] = None,
                             map_location='cpu',
                             widen: Union[bool, Mapping] = False) -> None:
    """Load every backbone tensor of ``checkpoint`` into ``model`` (a
    GhostNet) or raise an error naming the file, the mismatch and the fix.

    ``widen`` (True, or ``dict(noise=..., seed=...)``): narrower GhostNet
    weights are first widened to the model's width, keeping their function
    (:func:`~ghost_det.models.utils.widen.widen_state_dict`); every tensor
    must still load.
    """
    from mmengine.logging import print_log
    raw = read_checkpoint(checkpoint, map_location)
    try:
        weights, layout = select_backbone_weights(raw, prefix)
    except PretrainedWeightsError as err:
        raise PretrainedWeightsError(
            f'GhostNet init_cfg: cannot initialise the backbone from '
            f'{checkpoint!r}: {err}') from None
    if widen:
        weights, how = widened(model, weights, checkpoint, widen)
        layout += how
    problems = compare_with_model(model, weights)
    if problems:
        raise PretrainedWeightsError(
            f'GhostNet init_cfg: {checkpoint!r} ({layout}) does not fit '
            f'this GhostNet-{width_name(model.widen_factor)} backbone; '
            f'nothing was loaded.{problems}{_width_advice(model, weights)}\n'
            f'{HOW_TO_GET_WEIGHTS}')
    model.load_state_dict(weights, strict=False)
    print_log(f'GhostNet: loaded all {len(weights)} backbone tensors from '
              f'{checkpoint} ({layout})', logger='current')
