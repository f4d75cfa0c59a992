"""Function-preserving widening of GhostNet weights (Net2WiderNet).

Net2Net (Chen, Goodfellow, Shlens, ICLR 2016) widens a layer by copying
units: every new output channel repeats an existing one (its filter, bias
and BatchNorm parameters and statistics), and the layer that reads the
channels divides the weights of each copied input by its number of copies.
The wider network then computes what the narrower one does.

GhostNet needs three more rules, all kept here:

- a Ghost module's output is ``[primary, cheap]`` with ``cheap =
  depthwise(primary)``; a new primary channel brings its cheap twin, so the
  copy map of a Ghost output is ``[m, m + n/2]`` for a map ``m`` of the
  primary half;
- depthwise convs (cheap operations, stride-2 convs, shortcut convs) copy
  their filter per channel and divide nothing;
- a block with an identity shortcut adds its input to its output: both
  carry the same copy map, so one map runs through each stage.

``noise`` breaks the symmetry between copies (without it, copies receive
equal gradients and stay copies through training). Each group of copies
gets Gaussian noise on the weights that read it, centred within the group
so that the group's weights still sum to the original: copies carry equal
values at initialisation, so the function is kept to float rounding at any
noise level, while the copies' gradients differ from the first step.
"""
import math
import re
from collections import OrderedDict
from typing import Dict, Mapping, Optional, Sequence, Union

import torch

from .layout import PROFILER_KEY, infer_family, unwrap_state_dict

Shape = Union[torch.Tensor, torch.Size, Sequence[int]]
BOTTLENECK_KEY = re.compile(r'^blocks\.(\d+)\.(\d+)\.ghost1\.')
NORM_PARAMS = ('weight', 'bias', 'running_mean', 'running_var')


class _Widener:
    """One pass over a GhostNet state dict, in network order."""

    def __init__(self, source: Mapping[str, torch.Tensor],
                 target: Mapping[str, Shape], noise: float,
                 seed: int) -> None:
        self.source = source
        self.target = {k: tuple(v.shape if isinstance(v, torch.Tensor)
                                else v) for k, v in target.items()}
        self.noise = noise
        # copies and noise drawn apart: the noise level leaves the copies
        self.gen = torch.Generator().manual_seed(seed)
        self.noise_gen = torch.Generator().manual_seed(seed + 1)
        self.out: Dict[str, torch.Tensor] = OrderedDict()

    # -- copy maps: new channel i repeats old channel map[i] ---------------
    def copy_map(self, old: int, new: int, what: str) -> torch.Tensor:
        """The first ``old`` channels keep their place; the others repeat
        old channels drawn without replacement (cycling past 2x)."""
        if new < old:
            raise ValueError(
                f'cannot widen {what} from {old} to {new} channels: the '
                f'target is narrower than the source')
        extra = new - old
        picks = [torch.randperm(old, generator=self.gen)
                 for _ in range(math.ceil(extra / old))]
        return torch.cat([torch.arange(old)] + picks)[:new]

    def ghost_map(self, old: int, new: int, what: str) -> torch.Tensor:
        """Copy map of a Ghost module output ``[primary, cheap]``."""
        if old % 2 or new % 2:
            raise ValueError(
                f'{what}: Ghost outputs of {old} -> {new} channels do not '
                f'split into equal primary and cheap halves')
        half = self.copy_map(old // 2, new // 2, what)
        return torch.cat([half, half + old // 2])

    # -- tensors ------------------------------------------------------------
    def channels(self, key: str, dim: int = 0):
        """(source, target) size of ``key`` along ``dim``."""
        if key not in self.target:
            raise ValueError(f'{key} is not in the target model')
        return self.source[key].shape[dim], self.target[key][dim]

    def conv(self, key: str, rows: Optional[torch.Tensor] = None,
             cols: Optional[torch.Tensor] = None) -> None:
        """Copy output ``rows``; divide copied input ``cols`` by their count
        (and add the centred noise)."""
        weight = self.source[key]
        if rows is not None:
            weight = weight[rows]
        if cols is not None:
            counts = torch.bincount(cols, minlength=weight.shape[1])
            shape = (1, -1) + (1, ) * (weight.dim() - 2)
            weight = weight[:, cols] / counts[cols].to(weight).view(shape)
            if self.noise:
                weight = weight + self.centred_noise(weight, cols, counts)
        self.out[key] = weight.contiguous()
        bias = key[:-len('weight')] + 'bias'
        if bias in self.source:
            self.out[bias] = (self.source[bias] if rows is None else
                              self.source[bias][rows]).clone()

    def centred_noise(self, weight: torch.Tensor, cols: torch.Tensor,
                      counts: torch.Tensor) -> torch.Tensor:
        """Noise on the columns of copied channels, summing to zero over
        each group of copies."""
        std = self.noise * float(weight.std())
        noise = torch.randn(weight.shape, generator=self.noise_gen) * std
        noise[:, counts[cols] == 1] = 0
        group_sum = torch.zeros(
            (weight.shape[0], len(counts)) + weight.shape[2:]).index_add_(
                1, cols, noise)
        shape = (1, -1) + (1, ) * (weight.dim() - 2)
        mean = group_sum[:, cols] / counts[cols].to(weight).view(shape)
        return (noise - mean).to(weight)

    def norm(self, prefix: str, rows: torch.Tensor) -> None:
        for name in NORM_PARAMS:
            self.out[f'{prefix}.{name}'] = self.source[
                f'{prefix}.{name}'][rows].clone()
        counter = f'{prefix}.num_batches_tracked'
        if counter in self.source:
            self.out[counter] = self.source[counter].clone()

    def conv_norm(self, conv: str, norm: str, rows: torch.Tensor,
                  cols: Optional[torch.Tensor] = None) -> None:
        self.conv(f'{conv}.weight', rows, cols)
        self.norm(norm, rows)

    # -- modules --------------------------------------------------------------
    def ghost(self, prefix: str, cols: torch.Tensor,
              rows: torch.Tensor) -> None:
        """A Ghost module reading ``cols``, writing ``rows`` (a ghost map)."""
        half = rows[:len(rows) // 2]
        self.conv_norm(f'{prefix}.primary_conv.0', f'{prefix}.primary_conv.1',
                       half, cols)
        self.conv_norm(f'{prefix}.cheap_operation.0',
                       f'{prefix}.cheap_operation.1', half)

    def bottleneck(self, prefix: str, cols: torch.Tensor) -> torch.Tensor:
        """Widen one Ghost bottleneck reading ``cols``; return the copy map
        of its output."""
        key = f'{prefix}.ghost1.primary_conv.0.weight'
        old, new = self.channels(key)
        mid = self.ghost_map(2 * old, 2 * new, f'{prefix}.ghost1')
        self.ghost(f'{prefix}.ghost1', cols, mid)
        if f'{prefix}.conv_dw.weight' in self.source:
            self.conv_norm(f'{prefix}.conv_dw', f'{prefix}.bn_dw', mid)
        if f'{prefix}.se.conv_reduce.weight' in self.source:
            reduce = f'{prefix}.se.conv_reduce.weight'
            squeezed = self.copy_map(*self.channels(reduce), f'{prefix}.se')
            self.conv(reduce, squeezed, mid)
            self.conv(f'{prefix}.se.conv_expand.weight', mid, squeezed)
        key = f'{prefix}.ghost2.primary_conv.0.weight'
        old, new = self.channels(key)
        if f'{prefix}.shortcut.0.weight' in self.source:
            out = self.ghost_map(2 * old, 2 * new, f'{prefix}.ghost2')
            self.conv_norm(f'{prefix}.shortcut.0', f'{prefix}.shortcut.1',
                           cols)
            self.conv_norm(f'{prefix}.shortcut.2', f'{prefix}.shortcut.3',
                           out, cols)
        else:  # identity shortcut: the output carries the input's copies
            out = cols
            if len(cols) != 2 * new:
                raise ValueError(
                    f'{prefix}: identity shortcut of {len(cols)} channels '
                    f'beside an output of {2 * new}')
        self.ghost(f'{prefix}.ghost2', mid, out)
        return out

    def network(self) -> Dict[str, torch.Tensor]:
        old, new = self.channels('conv_stem.weight')
        # the stem feeds blocks.0's identity shortcut: a Ghost-shaped map
        cols = self.ghost_map(old, new, 'conv_stem')
        self.conv_norm('conv_stem', 'bn1', cols)
        blocks = sorted({tuple(map(int, m.groups())) for m in map(
            BOTTLENECK_KEY.match, self.source) if m})
        for i, j in blocks:
            cols = self.bottleneck(f'blocks.{i}.{j}', cols)
        last = self.copy_map(*self.channels('blocks.9.0.conv.weight'),
                             'blocks.9')
        self.conv_norm('blocks.9.0.conv', 'blocks.9.0.bn1', last, cols)
        if 'conv_head.weight' in self.source:  # reads pooled blocks.9
            self.conv('conv_head.weight', cols=last)
        for key in ('classifier.weight', 'classifier.bias'):
            if key in self.source:
                self.out[key] = self.source[key].clone()
        return self.out


def widen_state_dict(state_dict: Mapping, target: Mapping[str, Shape],
                     noise: float = 0.0,
                     seed: int = 0) -> 'OrderedDict[str, torch.Tensor]':
    """Widen GhostNet weights to the shapes of ``target``, keeping the
    function.

    Args:
        state_dict: GhostNet weights in the official / timm layout
            (``conv_stem``, ``blocks.*``, optionally ``conv_head`` and
            ``classifier``), bare or wrapped as :func:`unwrap_state_dict`
            reads them.
        target: The wider backbone's state dict (or its shapes), e.g.
            ``GhostNet(widen_factor=1.1, out_indices=(9, )).state_dict()``.
            Every channel count must be at least the source's.
        noise: Standard deviation of the symmetry-breaking noise, relative
            to each reading weight's standard deviation; 0 leaves copies
            exact. The noise of a group of copies sums to zero, so the
            function is kept at any level.
        seed: Seed of the copy choice and the noise.

    Returns:
        The widened state dict, in the source's layout and key order.

    Raises:
        ValueError: weights of another Ghost family, keys that do not match
            ``target``, or a target narrower than the source.
    """
    if not noise >= 0:
        raise ValueError(f'noise must be >= 0, got {noise!r}')
    source = OrderedDict((k, v) for k, v in unwrap_state_dict(
        state_dict).items() if not PROFILER_KEY.search(k))
    family = infer_family(source)
    if family != 'GhostNet':
        raise ValueError(
            f'widening takes GhostNet weights; these are {family} weights '
            f'(their modules are not Ghost modules of [primary, cheap])')
    backbone = {k for k in source if not k.startswith(
        ('conv_head.', 'classifier.'))}
    wanted = {k for k in target if not k.endswith('num_batches_tracked')}
    if not wanted <= backbone or not backbone - wanted <= {
            k for k in backbone if k.endswith('num_batches_tracked')}:
        extra = sorted(backbone - set(target))[:5]
        missing = sorted(wanted - backbone)[:5]
        raise ValueError(
            f'the source and target GhostNets differ in layout (source '
            f'only: {extra}, target only: {missing})')
    widened = _Widener(source, target, float(noise), seed).network()
    return OrderedDict((k, widened[k]) for k in source)
