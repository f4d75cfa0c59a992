"""GhostNetV2 backbone ("GhostNetV2: Enhance Cheap Operation with
Long-Range Attention", NeurIPS 2022)."""
from typing import Optional

from mmdet.registry import MODELS

from ..layers import GhostModuleV2
from .ghostnet import GhostNet


@MODELS.register_module()
class GhostNetV2(GhostNet):
    """GhostNetV2 backbone: GhostNet's network (Table 1 widths, stem, SE,
    ``blocks.0`` .. ``blocks.9``), with every bottleneck after the first two
    expanding through a :class:`~ghost_det.models.layers.GhostModuleV2`
    (DFC attention). State-dict names match timm's ``ghostnetv2_*``
    (1.0/1.3/1.6x with ImageNet weights), which load after
    ``tools/model_converters/convert_ghostnet_weights.py``. Arguments as
    :class:`GhostNet`; stage ends as GhostNet's at the same width.
    ``switch_to_deploy()`` folds BatchNorm (no channel relayout: the
    attention multiplies whole Ghost outputs)."""

    min_input_size = 33  # the stride-32 maps the attention pools 2x2

    def expand_module(self, index: int) -> Optional[type]:
        return GhostModuleV2 if index > 1 else None
