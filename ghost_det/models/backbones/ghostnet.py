"""GhostNet backbone ("GhostNet: More Features from Cheap Operations", 2020)."""
from numbers import Real
from typing import Callable, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import build_activation_layer, build_conv_layer, build_norm_layer
from mmcv.cnn.utils import fuse_conv_bn
from mmdet.models.utils import make_divisible
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig
from mmengine.model import BaseModule
from mmengine.model.weight_init import PretrainedInit
from torch.nn.modules.batchnorm import _BatchNorm

from ..layers import ConvNormAct, GhostBottleneck, GhostModule
from ..utils.weights import load_pretrained_backbone

NUM_GROUPS = 10  # blocks.0 - blocks.9, as in the official checkpoints


@MODELS.register_module()
class GhostNet(BaseModule):
    """GhostNet backbone.

    The network is the stem followed by ten block groups ``blocks.0`` ..
    ``blocks.9`` exactly as in the official code, so official and timm
    ImageNet weights load after ``tools/model_converters/convert_ghostnet_weights.py``.

    Args:
        widen_factor: Width multiplier; any positive number (the paper uses
            0.5, 1.0, 1.3; 1.1 for detection). Default 1.0.
        out_indices: Block groups whose outputs are returned, each in
            [0, 9]. Default ``(2, 4, 6, 8)``: the stage ends at strides
            4, 8, 16 and 32. Groups after the last one listed are not run
            and are kept frozen (they only hold checkpoint weights).
        frozen_stages: -1 freezes nothing, 0 the stem, ``i`` the stem and
            ``blocks.0`` .. ``blocks.{i-1}``. In [-1, 10]. Default -1.
        in_channels: Channels of the input image. Default 3.
        conv_cfg, norm_cfg, act_cfg: Layer configs (mmcv style);
            ``norm_cfg`` may be BN, SyncBN or GN.
        norm_eval: Keep BatchNorm layers in eval mode while training.
        with_cp: Use activation checkpointing in every bottleneck.
        with_se: False drops every squeeze-excite gate (an ablation: the
            paper's network and its weights have them). Default True.
        project_act: True puts ``act_cfg`` after each bottleneck's second
            Ghost module too (an ablation: the paper's is linear).
            Default False.
        deploy: Build the inference-only form :meth:`switch_to_deploy`
            makes, to load its checkpoints. Default False.
        init_cfg: Initialisation. ``dict(type='Pretrained', checkpoint=...,
            prefix='backbone.')`` loads strictly: every backbone tensor, or
            an error before training (see :meth:`init_weights`).
    """

    # Per block group: [kernel, expansion, out channels, SE ratio, stride]
    # (paper's Table 1). blocks.9 is a 1x1 conv to the last expansion.
    arch_settings: List[List[List[float]]] = [
        [[3, 16, 16, 0, 1]],
        [[3, 48, 24, 0, 2]],
        [[3, 72, 24, 0, 1]],
        [[5, 72, 40, 0.25, 2]],
        [[5, 120, 40, 0.25, 1]],
        [[3, 240, 80, 0, 2]],
        [[3, 200, 80, 0, 1], [3, 184, 80, 0, 1], [3, 184, 80, 0, 1],
         [3, 480, 112, 0.25, 1], [3, 672, 112, 0.25, 1]],
        [[5, 672, 160, 0.25, 2]],
        [[5, 960, 160, 0, 1], [5, 960, 160, 0.25, 1], [5, 960, 160, 0, 1],
         [5, 960, 160, 0.25, 1]],
    ]
    stem_channels = 16
    last_channels = 960
    bottleneck = GhostBottleneck
    ghost_module = GhostModule
    min_input_size = 1  # smallest H and W the network takes

    def __init__(self,
                 widen_factor: float = 1.0,
                 out_indices: Sequence[int] = (2, 4, 6, 8),
                 frozen_stages: int = -1,
                 in_channels: int = 3,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = dict(type='ReLU'),
                 norm_eval: bool = False,
                 with_cp: bool = False,
                 with_se: bool = True,
                 project_act: bool = False,
                 deploy: bool = False,
                 init_cfg: OptMultiConfig = [
                     dict(type='Kaiming', layer='Conv2d'),
                     dict(type='Constant', val=1,
                          layer=['_BatchNorm', 'GroupNorm'])
                 ]) -> None:
        super().__init__(init_cfg=init_cfg)
        self._check_args(widen_factor, out_indices, frozen_stages)
        self.widen_factor = widen_factor
        self.out_indices = tuple(sorted(out_indices))
        self.frozen_stages = frozen_stages
        self.in_channels = in_channels
        self.norm_eval = norm_eval
        self.with_cp = with_cp

        def width(c: float) -> int:
            return make_divisible(c * widen_factor, 4)

        channels = width(self.stem_channels)
        self.conv_stem = build_conv_layer(
            conv_cfg, in_channels, channels, 3, stride=2, padding=1,
            bias=False)
        self.bn1 = build_norm_layer(norm_cfg, channels)[1]
        self.act1 = build_activation_layer(act_cfg)

        groups: List[nn.Module] = []
        index = 0  # of the bottleneck in the whole network
        for group in self.arch_settings:
            blocks = []
            for kernel, exp, out, se_ratio, stride in group:
                blocks.append(self.bottleneck(
                    channels, width(exp), width(out), dw_kernel_size=kernel,
                    stride=stride, se_ratio=se_ratio if with_se else 0,
                    conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg,
                    project_act_cfg=act_cfg if project_act else None,
                    with_cp=with_cp,
                    ghost_module=self.ghost_module,
                    expand_module=self.expand_module(index)))
                channels = width(out)
                index += 1
            groups.append(nn.Sequential(*blocks))
        last = self.last_width(widen_factor)
        groups.append(nn.Sequential(
            ConvNormAct(channels, last, conv_cfg=conv_cfg,
                        norm_cfg=norm_cfg, act_cfg=act_cfg)))
        self.block_channels = self.channels_at(widen_factor)
        self.blocks = nn.Sequential(*groups)
        self.deploy = False
        self._freeze_stages()
        if deploy:
            self.switch_to_deploy()

    def expand_module(self, index: int) -> Optional[Callable]:
        """The class of bottleneck ``index``'s ``ghost1`` when it is not
        :attr:`ghost_module` (None: it is)."""
        return None

    @classmethod
    def last_width(cls, widen_factor: float) -> int:
        """Channels of ``blocks.9`` (the classifier's input) at a width."""
        return make_divisible(cls.last_channels * widen_factor, 4)

    @classmethod
    def channels_at(cls, widen_factor: float) -> List[int]:
        """Output channels of ``blocks.0`` .. ``blocks.9`` at a width."""
        return [make_divisible(group[-1][2] * widen_factor, 4)
                for group in cls.arch_settings] + [cls.last_width(widen_factor)]

    @property
    def out_channels(self) -> Tuple[int, ...]:
        """Channels of each output, in ``out_indices`` order."""
        return tuple(self.block_channels[i] for i in self.out_indices)

    @staticmethod
    def _check_args(widen_factor, out_indices, frozen_stages) -> None:
        if (isinstance(widen_factor, bool) or not isinstance(widen_factor, Real)
                or not widen_factor > 0):
            raise ValueError(
                f'widen_factor must be a positive number (e.g. 0.5, 1.0, '
                f'1.1, 1.3), got {widen_factor!r}')
        if (isinstance(out_indices, (str, bytes))
                or not isinstance(out_indices, Sequence) or not out_indices
                or len(set(out_indices)) != len(out_indices)
                or any(isinstance(i, bool) or not isinstance(i, int)
                       or not 0 <= i < NUM_GROUPS for i in out_indices)):
            raise ValueError(
                f'out_indices must be a non-empty sequence of distinct ints '
                f'in [0, {NUM_GROUPS - 1}] (block groups blocks.0 - '
                f'blocks.{NUM_GROUPS - 1}; stage ends are 2, 4, 6, 8), '
                f'got {out_indices!r}')
        if (isinstance(frozen_stages, bool)
                or not isinstance(frozen_stages, int)
                or not -1 <= frozen_stages <= NUM_GROUPS):
            raise ValueError(
                f'frozen_stages must be an int in [-1, {NUM_GROUPS}] '
                f'(-1: none, 0: stem, i: stem and blocks.0 - blocks.i-1), '
                f'got {frozen_stages!r}')

    def _frozen_modules(self) -> List[nn.Module]:
        frozen: List[nn.Module] = []
        if self.frozen_stages >= 0:
            frozen += [self.conv_stem, self.bn1]
        frozen += list(self.blocks[:max(self.frozen_stages, 0)])
        frozen += list(self.blocks[self.out_indices[-1] + 1:])
        return frozen

    def _freeze_stages(self) -> None:
        for module in self._frozen_modules():
            module.eval()
            for param in module.parameters():
                param.requires_grad = False

    def init_weights(self) -> None:
        """Initialise from ``init_cfg``; a ``Pretrained`` entry is loaded
        strictly.

        mmengine's own ``Pretrained`` loads with ``strict=False`` and only
        logs what did not fit, so a checkpoint of another width, or one read
        with the wrong prefix, trains from random weights. Here every
        backbone tensor must load, from any layout users hold (official,
        timm, converted, classifier or detector checkpoint), or
        :class:`~ghost_det.models.utils.weights.PretrainedWeightsError` (or
        FileNotFoundError) names the file, the mismatch and the fix.
        ``widen=True`` (or ``widen=dict(noise=..., seed=...)``) in the
        entry widens narrower GhostNet weights to this width first,
        keeping their function (Net2Net; see
        :func:`~ghost_det.models.utils.widen.widen_state_dict`).
        """
        cfgs = self.init_cfg if isinstance(self.init_cfg, list) else [
            self.init_cfg]
        pretrained = [c for c in cfgs if isinstance(c, dict)
                      and c.get('type') in ('Pretrained', PretrainedInit)]
        if not pretrained:
            super().init_weights()
            return
        if self.deploy:
            raise ValueError(
                f'{type(self).__name__}(deploy=True) is the deployed form, '
                f'which Pretrained (training-form weights) cannot fill: set '
                f'init_cfg=None and load a deployed checkpoint (load_from, '
                f'or the checkpoint given to tools/test.py)')
        cfg = pretrained[-1]
        load_pretrained_backbone(
            self, cfg['checkpoint'], prefix=cfg.get('prefix'),
            map_location=cfg.get('map_location', 'cpu'),
            widen=cfg.get('widen', False))
        self._is_init = True

    def switch_to_deploy(self) -> None:
        """Turn this backbone into its inference-only form, in place
        (mmpretrain's convention): eval mode, the groups after the last
        output dropped, every re-parameterisable layer merged (its own
        ``switch_to_deploy()``), every BatchNorm folded into its conv
        (mmcv's ``fuse_conv_bn``). Exact up to float rounding; training
        afterwards is not supported; a second call does nothing. Channel
        layouts for an engine are a further pass:
        :func:`ghost_det.deploy.relayout`."""
        if self.deploy:
            return
        self.eval()
        self.blocks = self.blocks[:self.out_indices[-1] + 1]
        self.with_cp = False
        for module in list(self.modules())[1:]:
            if hasattr(module, 'switch_to_deploy'):
                module.switch_to_deploy()
        fuse_conv_bn(self)
        self.deploy = True

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f'GhostNet expects images of shape (N, {self.in_channels}, '
                f'H, W), got {tuple(x.shape)}; convert grayscale or RGBA '
                f'images to RGB, or set in_channels={self.in_channels} to '
                f'the channel count of your data')
        if min(x.shape[-2:]) < self.min_input_size:
            raise ValueError(
                f'{type(self).__name__} needs inputs of at least '
                f'{self.min_input_size}x{self.min_input_size} (its DFC '
                f'attention pools the stride-32 maps 2x2), got '
                f'{tuple(x.shape[-2:])}; resize or pad the images')
        x = self.act1(self.bn1(self.conv_stem(x)))
        outs = []
        for i in range(self.out_indices[-1] + 1):
            x = self.blocks[i](x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)

    def train(self, mode: bool = True) -> 'GhostNet':
        """Set train mode, keeping frozen stages (and, with ``norm_eval``,
        every BatchNorm) in eval mode. Returns self, like nn.Module."""
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self
