"""Zero-padded channel layouts for GhostNet's deploy path.

Blocked CPU kernels (oneDNN, ONNX Runtime's NCHWc) work on channel counts
that are multiples of their SIMD width (8 with AVX2, 16 with AVX-512);
GhostNet-1.1x has Ghost modules of 14, 22 and 62 intrinsic channels. The
deploy path can therefore carry each feature map in a wider tensor whose
extra channels are exact zeros: every conv reading it gets zero weights for
those channels, every conv writing it zero weights and zero bias. A
:class:`ChannelLayout` says where the real channels sit.
"""
from dataclasses import dataclass

import torch
import torch.nn as nn


def round_up(channels: int, multiple: int) -> int:
    """The smallest multiple of ``multiple`` that is >= ``channels``."""
    return -(-channels // multiple) * multiple


@dataclass(frozen=True, eq=False)
class ChannelLayout:
    """Real channel ``i`` of a feature map sits at ``index[i]`` of a tensor
    with ``size`` channels; the other channels hold zeros (or values that
    no consumer reads)."""

    index: torch.Tensor
    size: int

    @classmethod
    def dense(cls, channels: int) -> 'ChannelLayout':
        """The plain layout: channel ``i`` at ``i``."""
        return cls(torch.arange(channels), channels)

    @classmethod
    def ghost(cls, channels: int, pad_to: int = 1) -> 'ChannelLayout':
        """The output of a ratio-2 Ghost module of ``channels`` outputs whose
        intrinsic and ghost halves are each padded to ``pad_to``:
        ``[intrinsic, 0.., ghost, 0..]``."""
        init = -(-channels // 2)
        half = round_up(init, pad_to)
        index = torch.cat([torch.arange(init),
                           half + torch.arange(channels - init)])
        return cls(index, 2 * half)

    @property
    def channels(self) -> int:
        return len(self.index)

    @property
    def is_dense(self) -> bool:
        return self.size == self.channels and bool(
            (self.index == torch.arange(self.size)).all())

    def same_as(self, other: 'ChannelLayout') -> bool:
        return self.size == other.size and torch.equal(self.index,
                                                       other.index)

    def gather(self, x: torch.Tensor) -> torch.Tensor:
        """The real channels of ``x`` (N, size, H, W), in order."""
        if self.is_dense:
            return x
        return x.index_select(1, self.index.to(x.device))


def relaid_conv(conv: nn.Conv2d, in_layout: ChannelLayout,
                out_layout: ChannelLayout) -> nn.Conv2d:
    """A copy of ``conv`` that reads ``in_layout`` and writes ``out_layout``.

    Weights of padded channels are zero and so is their bias, so padded
    outputs are zeros and padded inputs are never read. ``conv`` is a dense
    (groups=1) or depthwise conv; a depthwise conv needs equal layouts.
    """
    if conv.in_channels != in_layout.channels or (
            conv.out_channels != out_layout.channels):
        raise ValueError(
            f'conv {conv.in_channels}->{conv.out_channels} does not match '
            f'layouts of {in_layout.channels}->{out_layout.channels} channels')
    depthwise = conv.groups > 1
    if depthwise and not (conv.groups == conv.in_channels == conv.out_channels
                          and in_layout.same_as(out_layout)):
        raise ValueError('only depthwise grouped convs with equal in and out '
                         'layouts can be relaid')
    new = nn.Conv2d(
        in_layout.size, out_layout.size, conv.kernel_size, conv.stride,
        conv.padding, conv.dilation,
        groups=out_layout.size if depthwise else 1, bias=True,
        padding_mode=conv.padding_mode).to(conv.weight)
    rows = conv.weight.detach()
    if not depthwise:
        rows = rows.new_zeros(conv.out_channels, in_layout.size,
                              *conv.kernel_size).index_copy_(
                                  1, in_layout.index.to(rows.device), rows)
    out_index = out_layout.index.to(rows.device)
    with torch.no_grad():
        new.weight.zero_().index_copy_(0, out_index, rows)
        new.bias.zero_()
        if conv.bias is not None:
            new.bias.index_copy_(0, out_index, conv.bias.detach())
    return new
