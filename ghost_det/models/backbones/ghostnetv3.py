"""GhostNetV3 backbone ("GhostNetV3: Exploring the Training Strategies for
Compact Models", 2024)."""
from typing import Callable, Optional

from mmdet.registry import MODELS

from ..layers import GhostBottleneckV3, GhostModuleV3, GhostModuleV3DFC
from .ghostnet import GhostNet


@MODELS.register_module()
class GhostNetV3(GhostNet):
    """GhostNetV3 backbone: GhostNetV2's network (GhostNet's Table 1, DFC
    attention in every expansion after the first two) trained with
    re-parameterisable branches: every Ghost module conv and stride-2
    depthwise conv is :class:`~ghost_det.models.layers.RepBranches`.
    State-dict names match timm's ``ghostnetv3_*`` (ImageNet weights for
    1.0x) after ``tools/model_converters/convert_ghostnet_weights.py``,
    which also reads them directly in ``init_cfg``. Arguments as
    :class:`GhostNet`; stage ends as GhostNet's at the same width.
    ``switch_to_deploy()`` merges the branches and folds BatchNorm: the
    deployed network is GhostNetV2's."""

    bottleneck = GhostBottleneckV3
    ghost_module = GhostModuleV3
    min_input_size = 33  # the stride-32 maps the attention pools 2x2

    def expand_module(self, index: int) -> Optional[Callable]:
        return GhostModuleV3DFC if index > 1 else None
