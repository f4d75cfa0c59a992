"""Squeeze-and-excite with GhostNet's rounding and hard-sigmoid gate."""
import torch
import torch.nn as nn
from mmcv.cnn import build_activation_layer
from mmdet.models.utils import make_divisible
from mmdet.utils import ConfigType, OptConfigType
from mmengine.model import BaseModule
from mmengine.registry import MODELS

# The paper's hard sigmoid, relu6(x + 3) / 6, is torch's Hardsigmoid; mmcv
# registers only its own HSigmoid, which warns about changed defaults.
if 'Hardsigmoid' not in MODELS.module_dict:
    MODELS.register_module(name='Hardsigmoid', module=nn.Hardsigmoid)


class SqueezeExcite(BaseModule):
    """Channel gate: avg pool -> 1x1 reduce -> act -> 1x1 expand -> gate.

    The reduced width is ``make_divisible(channels * se_ratio, 4)`` as in the
    official GhostNet (mmdet's ``SELayer`` rounds to 8, which would not load
    the official weights). Names match the checkpoints
    (``conv_reduce``, ``conv_expand``).

    Args:
        channels: Channels of the gated feature map.
        se_ratio: Reduction ratio, in (0, 1]. Default 0.25.
        act_cfg: Activation after the reduce conv. Default ReLU.
        gate_cfg: Gate activation. Default hard sigmoid, relu6(x + 3) / 6.
    """

    def __init__(self,
                 channels: int,
                 se_ratio: float = 0.25,
                 act_cfg: ConfigType = dict(type='ReLU'),
                 gate_cfg: ConfigType = dict(type='Hardsigmoid'),
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not 0 < se_ratio <= 1:
            raise ValueError(f'se_ratio must be in (0, 1], got {se_ratio!r}')
        reduced = make_divisible(channels * se_ratio, 4)
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.conv_reduce = nn.Conv2d(channels, reduced, 1, bias=True)
        self.act1 = build_activation_layer(act_cfg)
        self.conv_expand = nn.Conv2d(reduced, channels, 1, bias=True)
        self.gate = build_activation_layer(gate_cfg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.conv_expand(self.act1(self.conv_reduce(self.avg_pool(x))))
        return x * self.gate(w)
