"""Ghost bottleneck (GhostNet paper, Sec. 3.2, Fig. 3)."""
import contextlib
from typing import Callable, Iterator, Optional, Tuple, Type

import torch
import torch.nn as nn
import torch.utils.checkpoint as cp
from mmcv.cnn import build_conv_layer, build_norm_layer
from mmdet.utils import ConfigType, OptConfigType
from mmengine.model import BaseModule
from torch.nn.modules.batchnorm import _BatchNorm

from .ghost_module import GhostModule
from .squeeze_excite import SqueezeExcite


class GhostBottleneck(BaseModule):
    """ghost1 (expand) -> [dw conv, stride 2] -> [SE] -> ghost2 (project).

    The output is added to a shortcut: identity when the shape is kept,
    else depthwise conv + norm + 1x1 conv + norm. No activation after the
    add. Submodule names match the official checkpoints.

    Args:
        in_channels: Input channels.
        mid_channels: Expanded channels (``exp`` in the paper's Table 1).
        out_channels: Output channels.
        dw_kernel_size: Kernel of the depthwise convs. Default 3.
        stride: 1 or 2. Default 1.
        se_ratio: Squeeze-excite ratio; 0 disables SE. Default 0.
        conv_cfg, norm_cfg, act_cfg: Layer configs (mmcv style).
        with_cp: Trade compute for memory with activation checkpointing.
        ghost_module: The class of ``ghost1`` and ``ghost2``:
            :class:`GhostModule` (GhostNet), :class:`RepGhostModule`
            (RepGhostNet) or :class:`GhostModuleV3`. Default GhostModule.
        expand_module: The class of ``ghost1`` when it differs
            (:class:`GhostModuleV2` in GhostNetV2, :class:`GhostModuleV3DFC`
            in GhostNetV3). Default: ghost_module.
        project_act_cfg: Activation of ``ghost2``. Default None: linear,
            as in the paper.
    """

    def __init__(self,
                 in_channels: int,
                 mid_channels: int,
                 out_channels: int,
                 dw_kernel_size: int = 3,
                 stride: int = 1,
                 se_ratio: float = 0.,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = dict(type='ReLU'),
                 with_cp: bool = False,
                 ghost_module: Type[nn.Module] = GhostModule,
                 expand_module: Optional[Callable[..., nn.Module]] = None,
                 project_act_cfg: OptConfigType = None,
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if stride not in (1, 2):
            raise ValueError(f'stride must be 1 or 2, got {stride!r}')
        self.stride = stride
        self.with_cp = with_cp
        pad = (dw_kernel_size - 1) // 2
        self.ghost1 = (expand_module or ghost_module)(
            in_channels, mid_channels, conv_cfg=conv_cfg, norm_cfg=norm_cfg,
            act_cfg=act_cfg)
        if stride > 1:
            self.conv_dw, self.bn_dw = self._depthwise(
                mid_channels, dw_kernel_size, stride, conv_cfg, norm_cfg)
        self.se: Optional[SqueezeExcite] = SqueezeExcite(
            mid_channels, se_ratio) if se_ratio > 0 else None
        self.ghost2 = ghost_module(
            mid_channels, out_channels, conv_cfg=conv_cfg, norm_cfg=norm_cfg,
            act_cfg=project_act_cfg)
        if in_channels == out_channels and stride == 1:
            self.shortcut = nn.Sequential()
        else:
            self.shortcut = nn.Sequential(
                build_conv_layer(
                    conv_cfg, in_channels, in_channels, dw_kernel_size,
                    stride=stride, padding=pad, groups=in_channels,
                    bias=False),
                build_norm_layer(norm_cfg, in_channels)[1],
                build_conv_layer(
                    conv_cfg, in_channels, out_channels, 1, bias=False),
                build_norm_layer(norm_cfg, out_channels)[1])

    @staticmethod
    def _depthwise(channels: int, kernel: int, stride: int,
                   conv_cfg: OptConfigType,
                   norm_cfg: ConfigType) -> Tuple[nn.Module, nn.Module]:
        """The stride-2 depthwise conv and its norm."""
        conv = build_conv_layer(
            conv_cfg, channels, channels, kernel, stride=stride,
            padding=(kernel - 1) // 2, groups=channels, bias=False)
        return conv, build_norm_layer(norm_cfg, channels)[1]

    def _residual(self, x: torch.Tensor) -> torch.Tensor:
        out = self.ghost1(x)
        if self.stride > 1:
            out = self.bn_dw(self.conv_dw(out))
        if self.se is not None:
            out = self.se(out)
        return self.ghost2(out) + self.shortcut(x)

    @contextlib.contextmanager
    def _norm_statistics_kept(self) -> Iterator[None]:
        """Undo what a forward does to BatchNorm running statistics."""
        norms = [m for m in self.modules()
                 if isinstance(m, _BatchNorm) and m.training
                 and m.track_running_stats]
        saved = [[b.clone() for b in (m.running_mean, m.running_var,
                                      m.num_batches_tracked)] for m in norms]
        try:
            yield
        finally:
            for m, (mean, var, count) in zip(norms, saved):
                m.running_mean.copy_(mean)
                m.running_var.copy_(var)
                m.num_batches_tracked.copy_(count)

    def _checkpoint_contexts(self) -> Tuple:
        # the recomputation in backward must not update BatchNorm statistics
        # a second time
        return contextlib.nullcontext(), self._norm_statistics_kept()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.with_cp and x.requires_grad:
            return cp.checkpoint(self._residual, x, use_reentrant=False,
                                 context_fn=self._checkpoint_contexts)
        return self._residual(x)
