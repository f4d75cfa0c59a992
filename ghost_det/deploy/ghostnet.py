"""GhostNet's channel layouts for an engine: an exact pass an exporting
user opts into, after the model's own ``switch_to_deploy()``.

:func:`relayout` replaces modules of a deployed :class:`GhostNet` with
plain modules that compute the same outputs (up to float rounding):

* ``fold``: nothing beyond ``switch_to_deploy()`` (BatchNorm folded, the
  block groups after the last output removed).
* ``pad{N}``: every Ghost module's intrinsic and ghost halves
  zero-padded to a multiple of N channels (blocked CPU kernels work on 8 or
  16 channels at a time; GhostNet-1.1x has halves of 14, 22, 62, ...).
* ``...-split``: the two halves kept as separate tensors instead of
  concatenated; the convs reading them sum one conv per half, so the
  concat's copy is gone and every residual add follows a conv.

See :mod:`~ghost_det.deploy.channel_layout` for how maps are held.
Relaid outputs are gathered back to their real channels at each output, or
(:func:`fold_outputs_into_neck`) the gather is folded into the FPN convs
that read them.
"""
import re
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn

from ..models.backbones.ghostnet import NUM_GROUPS, GhostNet
from ..models.layers import (
    ConvNormAct,
    GhostBottleneck,
    GhostModule,
    SqueezeExcite,
)
from .channel_layout import (
    ChannelLayout,
    ConvFromParts,
    Each,
    Gather,
    SplitConv,
    ToParts,
    round_up,
)


@dataclass(frozen=True)
class GhostLayout:
    """How a deployed GhostNet holds its feature maps."""

    pad_to: int = 1      # pad each Ghost half to a multiple of this
    split: bool = False  # keep the halves as two tensors ...
    split_groups: Tuple[int, int] = (0, NUM_GROUPS)  # ... in these groups

    def __post_init__(self) -> None:
        if (isinstance(self.pad_to, bool) or not isinstance(self.pad_to, int)
                or self.pad_to < 1):
            raise ValueError(f'pad_to must be an int >= 1, got '
                             f'{self.pad_to!r}')
        first, end = self.split_groups
        if not 0 <= first < end <= NUM_GROUPS:
            raise ValueError(f'split groups must be a range in [0, '
                             f'{NUM_GROUPS}], got {self.split_groups!r}')

    @property
    def name(self) -> str:
        if self.pad_to == 1 and not self.split:
            return 'fold'
        name = f'pad{self.pad_to}'
        if self.split:
            name += '-split'
            if self.split_groups != (0, NUM_GROUPS):
                name += '{}-{}'.format(*self.split_groups)
        return name

    @property
    def relaid(self) -> bool:
        return self.name != 'fold'

    def splits(self, group: int) -> bool:
        """Whether the Ghost modules of ``blocks.{group}`` split."""
        return self.split and (
            self.split_groups[0] <= group < self.split_groups[1])

    @classmethod
    def parse(cls, name: str) -> 'GhostLayout':
        """``fold``, ``pad16``, ``pad1-split``, ``pad16-split1-5`` (halves
        split in blocks.1 - blocks.4 only), ... (see :attr:`name`)."""
        if name == 'fold':
            return cls()
        match = re.fullmatch(r'pad(\d+)(-split(?:(\d+)-(\d+))?)?', name)
        if not match:
            raise ValueError(f'unknown GhostNet deploy layout {name!r}: use '
                             f'fold, pad<N>, pad<N>-split or '
                             f'pad<N>-split<first>-<end> (e.g. pad16, '
                             f'pad1-split, pad1-split1-5)')
        groups = ((int(match.group(3)), int(match.group(4)))
                  if match.group(3) else (0, NUM_GROUPS))
        return cls(int(match.group(1)), bool(match.group(2)), groups)


ENGINES = ('pytorch', 'onnxruntime', 'openvino')
# The fastest layout per engine, measured on GhostNet-1.1x at 224x224
# ('small') and 800x1344 ('large'), 1 thread (tools/analysis_tools/
# benchmark.py --layouts; docs/deploy_and_benchmark.md). Unknown sizes get the
# small-input layout: in PyTorch that is plain BatchNorm folding.
DEFAULT_LAYOUTS = {
    'pytorch': {'small': GhostLayout(), 'large': GhostLayout(1, split=True)},
    'onnxruntime': {'small': GhostLayout(8), 'large': GhostLayout(16)},
    'openvino': {'small': GhostLayout(1, split=True),
                 'large': GhostLayout(1, split=True)},
}
LARGE_INPUT = 512  # shorter image side from which 'large' applies


def default_layout(engine: str,
                   input_size: Optional[Sequence[int]] = None
                   ) -> GhostLayout:
    """The layout measured fastest for ``engine`` at ``input_size`` (H, W);
    without a size, the one for small inputs."""
    if engine not in DEFAULT_LAYOUTS:
        raise ValueError(f'unknown engine {engine!r}; choose one of '
                         f'{", ".join(ENGINES)}')
    large = input_size is not None and min(input_size) >= LARGE_INPUT
    return DEFAULT_LAYOUTS[engine]['large' if large else 'small']


def can_relayout(model: nn.Module) -> bool:
    """Whether :func:`relayout` applies to ``model``: a GhostNet whose
    bottlenecks are GhostNet's own, with ratio-2 Ghost modules (not the
    family variants, whose attention or re-parameterised branches read
    whole Ghost outputs, and not a model relaid already)."""
    if not isinstance(model, GhostNet):
        return False
    return all(
        isinstance(block, ConvNormAct) or (
            type(block) is GhostBottleneck
            and all(type(m) is GhostModule and m.ratio == 2
                    for m in (block.ghost1, block.ghost2)))
        for group in model.blocks for block in group)


def resolve_layout(model: nn.Module, engine: str = 'pytorch',
                   layout: Optional[str] = None,
                   input_size: Optional[Sequence[int]] = None
                   ) -> GhostLayout:
    """The layout ``model`` deploys with: ``layout`` when named, else the
    engine's default (:func:`default_layout`) where the network can be
    relaid (:func:`can_relayout`) and ``fold`` where it cannot (naming
    another layout for it, :func:`relayout` refuses)."""
    if layout is not None:
        return GhostLayout.parse(layout)
    chosen = default_layout(engine, input_size)
    return chosen if can_relayout(model) else GhostLayout()


class GhostModuleParts(nn.Module):
    """A deployed :class:`GhostModule`: parts in, halves out (two parts, or
    one concatenated)."""

    def __init__(self, primary: SplitConv, cheap: SplitConv,
                 act: nn.Module, concat: bool) -> None:
        super().__init__()
        self.primary, self.cheap = primary, cheap
        self.act = Each(act)
        self.concat = concat

    def forward(self, parts: List[torch.Tensor]) -> List[torch.Tensor]:
        intrinsic = self.act(self.primary(parts))
        halves = intrinsic + self.act(self.cheap(intrinsic))
        return [torch.cat(halves, dim=1)] if self.concat else halves


class SqueezeExciteParts(nn.Module):
    """A deployed :class:`SqueezeExcite` on a relaid map. Padded channels
    get gate(0) = 0.5 times their value: zeros stay zeros."""

    def __init__(self, se: SqueezeExcite, layout: ChannelLayout) -> None:
        super().__init__()
        reduced = ChannelLayout.dense(se.conv_reduce.out_channels)
        self.pool = Each(se.avg_pool)
        self.conv_reduce = SplitConv(se.conv_reduce, layout, reduced)
        self.act = Each(se.act1)
        self.conv_expand = SplitConv(se.conv_expand, reduced, layout)
        self.gate = se.gate

    def forward(self, parts: List[torch.Tensor]) -> List[torch.Tensor]:
        gates = self.conv_expand(self.act(self.conv_reduce(self.pool(parts))))
        return [p * self.gate(g) for p, g in zip(parts, gates)]


class GhostBottleneckParts(nn.Module):
    """A deployed :class:`GhostBottleneck` (BatchNorm folded) on parts."""

    def __init__(self, ghost1: GhostModuleParts, conv_dw: Optional[SplitConv],
                 se: Optional[SqueezeExciteParts], ghost2: GhostModuleParts,
                 shortcut: Optional[nn.Sequential]) -> None:
        super().__init__()
        self.ghost1, self.conv_dw, self.se = ghost1, conv_dw, se
        self.ghost2, self.shortcut = ghost2, shortcut

    def forward(self, parts: List[torch.Tensor]) -> List[torch.Tensor]:
        out = self.ghost1(parts)
        if self.conv_dw is not None:
            out = self.conv_dw(out)
        if self.se is not None:
            out = self.se(out)
        short = parts if self.shortcut is None else self.shortcut(parts)
        return [a + b for a, b in zip(self.ghost2(out), short)]


def relaid_ghost_module(module: GhostModule, in_layout: ChannelLayout,
                        layout: GhostLayout
                        ) -> Tuple[GhostModuleParts, ChannelLayout]:
    """``module`` (BatchNorm folded) reading ``in_layout``, padded to
    ``layout.pad_to``, split if ``layout.split``; ratio 2 only."""
    if module.ratio != 2:
        raise ValueError('only ratio-2 Ghost modules (GhostNet\'s) can be '
                         f'relaid, got ratio {module.ratio}')
    init = module.primary_conv[0].out_channels
    intrinsic = ChannelLayout.padded(init, round_up(init, layout.pad_to))
    primary = SplitConv(module.primary_conv[0], in_layout, intrinsic)
    cheap = SplitConv(module.cheap_operation[0], intrinsic, intrinsic)
    out = ChannelLayout.ghost(module.out_channels, layout.pad_to,
                              layout.split)
    return GhostModuleParts(primary, cheap, module.primary_conv[2],
                            concat=not layout.split), out


def relaid_bottleneck(block: GhostBottleneck, in_layout: ChannelLayout,
                      layout: GhostLayout
                      ) -> Tuple[GhostBottleneckParts, ChannelLayout]:
    """``block`` (BatchNorm folded) reading ``in_layout``."""
    ghost1, mid = relaid_ghost_module(block.ghost1, in_layout, layout)
    conv_dw = SplitConv(block.conv_dw, mid, mid) if block.stride > 1 else None
    se = SqueezeExciteParts(block.se, mid) if block.se is not None else None
    ghost2, out = relaid_ghost_module(block.ghost2, mid, layout)
    if len(block.shortcut) == 0:
        shortcut = None
        if not in_layout.same_as(out):
            raise ValueError('an identity shortcut needs its input in the '
                             'layout of its output')
    else:
        shortcut = nn.Sequential(
            SplitConv(block.shortcut[0], in_layout, in_layout),
            SplitConv(block.shortcut[2], in_layout, out))
    return GhostBottleneckParts(ghost1, conv_dw, se, ghost2, shortcut), out


def relayout(model: GhostNet, layout: GhostLayout = GhostLayout(),
             gather_outputs: bool = True) -> List[ChannelLayout]:
    """Deploy ``model`` (its ``switch_to_deploy()``, if not done) and relay
    its channels in ``layout``, in place; return the layout of each output.

    With ``gather_outputs`` the outputs are plain tensors equal to the
    eager ones; without, relaid outputs stay lists of parts in the returned
    layouts, for consumers that fold the gather in
    (:func:`fold_outputs_into_neck`).
    """
    if layout.relaid and not can_relayout(model):
        raise ValueError(
            f'layout {layout.name} applies to GhostNet\'s own bottlenecks '
            f'only; {type(model).__name__} deploys with layout fold')
    model.switch_to_deploy()
    if not layout.relaid:
        return [ChannelLayout.dense(c) for c in model.out_channels]
    current = ChannelLayout.ghost(model.conv_stem.out_channels,
                                  layout.pad_to, layout.splits(0))
    model.conv_stem = nn.Sequential(
        ToParts(), SplitConv(model.conv_stem,
                             ChannelLayout.dense(model.in_channels), current))
    model.act1 = Each(model.act1)
    outputs = []
    tensor_input = False  # does this group get a plain tensor?
    for i, group in enumerate(model.blocks):
        blocks: List[nn.Module] = [ToParts()] if tensor_input else []
        here = GhostLayout(layout.pad_to, layout.splits(i))
        for block in group:
            if isinstance(block, GhostBottleneck):
                block, current = relaid_bottleneck(block, current, here)
            else:  # blocks.9, a 1x1 conv to a plain output
                assert isinstance(block, ConvNormAct)
                dense = ChannelLayout.dense(block.conv.out_channels)
                block = nn.Sequential(SplitConv(block.conv, current, dense),
                                      Each(block.act1))
                current = dense
            blocks.append(block)
        tensor_input = False
        if i in model.out_indices:
            outputs.append(current)
            if gather_outputs:
                blocks.append(Gather(current))
                current = ChannelLayout.dense(current.channels)
                tensor_input = True
        model.blocks[i] = nn.Sequential(*blocks)
    return outputs


def neck_reads_parts(neck: Optional[nn.Module]) -> bool:
    """Whether :func:`fold_outputs_into_neck` knows ``neck`` (mmdet's FPN)."""
    from mmdet.models.necks import FPN
    return type(neck) is FPN


def fold_outputs_into_neck(neck: nn.Module,
                           layouts: List[ChannelLayout]) -> None:
    """Make an mmdet FPN read relaid backbone outputs directly: each conv
    that reads a backbone output (the lateral 1x1 convs, and the first extra
    conv with ``add_extra_convs='on_input'``) gets its input channels
    permuted and zero-extended (:class:`ConvFromParts`)."""
    if not neck_reads_parts(neck):
        raise ValueError(f'cannot fold GhostNet output gathers into a '
                         f'{type(neck).__name__}; deploy with gathered '
                         f'outputs instead')
    readers = [(conv, neck.start_level + i)
               for i, conv in enumerate(neck.lateral_convs)]
    if neck.add_extra_convs == 'on_input':
        readers.append((neck.fpn_convs[len(neck.lateral_convs)],
                        neck.backbone_end_level - 1))
    for conv_module, level in readers:
        conv_module.conv = ConvFromParts(conv_module.conv, layouts[level])
