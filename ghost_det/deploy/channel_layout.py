"""Channel layouts of GhostNet's deploy path: zero padding and split maps.

Two exact rewrites of how a feature map is held:

* **Padding.** Blocked CPU kernels (oneDNN, ONNX Runtime's NCHWc) work on
  channel counts that are multiples of their SIMD width (8 with AVX2, 16
  with AVX-512); GhostNet-1.1x has Ghost modules of 14, 22 and 62 intrinsic
  channels. A map can sit in a wider tensor whose extra channels are exact
  zeros: convs reading it get zero weights there, convs writing it zero
  weights and zero bias.
* **Splitting.** A Ghost module's output is the concatenation of its
  intrinsic and ghost halves, a copy of the whole output. A map can instead
  stay a list of parts, one tensor each: a conv reading parts sums one conv
  per part (a dense conv's input channels split), a depthwise conv or an
  activation runs on each part.

A :class:`ChannelLayout` says which real channels each part holds and where.
The modules here take and return lists of part tensors.
"""
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn


def round_up(channels: int, multiple: int) -> int:
    """The smallest multiple of ``multiple`` that is >= ``channels``."""
    return -(-channels // multiple) * multiple


@dataclass(frozen=True, eq=False)
class Part:
    """Real channels ``channels[k]`` sit at ``index[k]`` of a tensor with
    ``size`` channels; its other channels are zeros or never read."""

    channels: torch.Tensor
    index: torch.Tensor
    size: int

    def same_as(self, other: 'Part') -> bool:
        return self.size == other.size and torch.equal(
            self.channels, other.channels) and torch.equal(
                self.index, other.index)


@dataclass(frozen=True, eq=False)
class ChannelLayout:
    """A feature map of ``channels`` real channels held as ``parts``."""

    parts: Tuple[Part, ...]
    channels: int

    @classmethod
    def dense(cls, channels: int) -> 'ChannelLayout':
        """One plain tensor: channel ``i`` at ``i``."""
        every = torch.arange(channels)
        return cls((Part(every, every, channels), ), channels)

    @classmethod
    def padded(cls, channels: int, size: int) -> 'ChannelLayout':
        """One tensor of ``size`` channels, the real ones first."""
        every = torch.arange(channels)
        return cls((Part(every, every, size), ), channels)

    @classmethod
    def ghost(cls, channels: int, pad_to: int = 1,
              split: bool = False) -> 'ChannelLayout':
        """A ratio-2 Ghost module's output: intrinsic and ghost halves, each
        padded to a multiple of ``pad_to``; two parts with ``split``, else
        one tensor ``[intrinsic, 0.., ghost, 0..]``."""
        init = -(-channels // 2)
        half = round_up(init, pad_to)
        first, second = torch.arange(init), torch.arange(channels - init)
        if split:
            return cls((Part(first, first, half),
                        Part(init + second, second, half)), channels)
        return cls((Part(torch.arange(channels),
                         torch.cat([first, half + second]), 2 * half), ),
                   channels)

    @property
    def is_dense(self) -> bool:
        return len(self.parts) == 1 and self.parts[0].same_as(
            ChannelLayout.dense(self.channels).parts[0])

    def same_as(self, other: 'ChannelLayout') -> bool:
        return len(self.parts) == len(other.parts) and all(
            a.same_as(b) for a, b in zip(self.parts, other.parts))

    def positions(self) -> torch.Tensor:
        """Where each real channel sits in the parts concatenated."""
        position = torch.empty(self.channels, dtype=torch.long)
        offset = 0
        for part in self.parts:
            position[part.channels] = part.index + offset
            offset += part.size
        return position

    def gather(self, parts: Sequence[torch.Tensor],
               positions: Optional[torch.Tensor] = None) -> torch.Tensor:
        """The real channels, in order, as one (N, channels, H, W) tensor
        (``positions``: :meth:`positions`, precomputed on the device)."""
        if self.is_dense:
            return parts[0]
        whole = torch.cat(list(parts), 1) if len(parts) > 1 else parts[0]
        if positions is None:
            positions = self.positions().to(whole.device)
        return whole.index_select(1, positions)

    def scatter(self, x: torch.Tensor) -> List[torch.Tensor]:
        """The parts holding the real channels of ``x`` (zeros elsewhere)."""
        out = []
        for part in self.parts:
            t = x.new_zeros(x.shape[0], part.size, *x.shape[2:])
            t[:, part.index] = x[:, part.channels]
            out.append(t)
        return out


def _placed(conv: nn.Conv2d, out_part: Part, in_part: Part,
            depthwise: bool) -> nn.Conv2d:
    """The conv block writing ``out_part`` from ``in_part``."""
    weight = conv.weight.detach()
    new = nn.Conv2d(in_part.size, out_part.size, conv.kernel_size,
                    conv.stride, conv.padding, conv.dilation,
                    groups=out_part.size if depthwise else 1, bias=True,
                    padding_mode=conv.padding_mode).to(weight)
    with torch.no_grad():
        new.weight.zero_()
        new.bias.zero_()
        rows = weight[out_part.channels.to(weight.device)]
        if not depthwise:
            rows = rows.new_zeros(len(out_part.channels), in_part.size,
                                  *conv.kernel_size).index_copy_(
                1, in_part.index.to(weight.device),
                rows[:, in_part.channels.to(weight.device)])
        new.weight.index_copy_(0, out_part.index.to(weight.device), rows)
    return new


class SplitConv(nn.Module):
    """``conv`` reading ``in_layout`` and writing ``out_layout``, exactly.

    Output part ``j`` is the sum over input parts ``i`` of a conv from part
    ``i`` to part ``j`` (its weights: ``conv``'s for those channels, zeros
    for padding), plus ``conv``'s bias on the real channels. A depthwise
    ``conv`` needs equal layouts and runs one depthwise conv per part.
    """

    def __init__(self, conv: nn.Conv2d, in_layout: ChannelLayout,
                 out_layout: ChannelLayout) -> None:
        super().__init__()
        if (conv.in_channels != in_layout.channels
                or conv.out_channels != out_layout.channels):
            raise ValueError(
                f'conv {conv.in_channels}->{conv.out_channels} does not '
                f'match layouts of {in_layout.channels}->'
                f'{out_layout.channels} channels')
        self.depthwise = conv.groups > 1
        if self.depthwise and not (
                conv.groups == conv.in_channels == conv.out_channels
                and in_layout.same_as(out_layout)):
            raise ValueError('only depthwise grouped convs with equal in '
                             'and out layouts can be relaid')
        self.convs = nn.ModuleList()
        for j, out_part in enumerate(out_layout.parts):
            sources = ([in_layout.parts[j]] if self.depthwise
                       else in_layout.parts)
            row = nn.ModuleList(
                _placed(conv, out_part, in_part, self.depthwise)
                for in_part in sources)
            for extra in row[1:]:  # the bias is added once
                extra.bias = None
            if conv.bias is not None:
                with torch.no_grad():
                    row[0].bias.index_copy_(
                        0, out_part.index.to(conv.bias.device),
                        conv.bias.detach()[out_part.channels.to(
                            conv.bias.device)])
            self.convs.append(row)

    def forward(self, parts: List[torch.Tensor]) -> List[torch.Tensor]:
        outs = []
        for j, row in enumerate(self.convs):
            inputs = [parts[j]] if self.depthwise else parts
            out = row[0](inputs[0])
            for conv, x in zip(row[1:], inputs[1:]):
                out = out + conv(x)
            outs.append(out)
        return outs


class Each(nn.Module):
    """``module`` (an activation) applied to every part."""

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.module = module

    def forward(self, parts: List[torch.Tensor]) -> List[torch.Tensor]:
        return [self.module(p) for p in parts]


class ToParts(nn.Module):
    """A plain tensor as a layout of one part."""

    def forward(self, x: torch.Tensor) -> List[torch.Tensor]:
        return [x]


class Gather(nn.Module):
    """The real channels of a map held in ``layout``, as one tensor."""

    def __init__(self, layout: ChannelLayout) -> None:
        super().__init__()
        self.layout = layout
        # moves with the module (.to(device)); not in the state dict
        self.register_buffer('positions', layout.positions(),
                             persistent=False)

    def forward(self, parts: List[torch.Tensor]) -> torch.Tensor:
        return self.layout.gather(parts, self.positions)


class ConvFromParts(nn.Module):
    """``conv`` reading a map held in ``layout``, writing a plain tensor
    (e.g. an FPN lateral conv taking a relaid backbone output: the gather
    folded into the conv's input channels)."""

    def __init__(self, conv: nn.Conv2d, layout: ChannelLayout) -> None:
        super().__init__()
        self.conv = SplitConv(conv, layout,
                              ChannelLayout.dense(conv.out_channels))

    def forward(self, parts: List[torch.Tensor]) -> torch.Tensor:
        return self.conv(parts)[0]
