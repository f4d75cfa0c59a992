"""RepGhostNet backbone ("RepGhost: A Hardware-Efficient Ghost Module via
Re-parameterization", 2022)."""
from typing import List

from mmdet.registry import MODELS

from ..layers import RepGhostModule
from .ghostnet import GhostNet


@MODELS.register_module()
class RepGhostNet(GhostNet):
    """RepGhostNet backbone: GhostNet's stem, bottlenecks, SE, block groups
    ``blocks.0`` .. ``blocks.9`` and width rule, with
    :class:`~ghost_det.models.layers.RepGhostModule` in every bottleneck and
    the RepGhost paper's expansions (half of GhostNet's, since a RepGhost
    module's primary conv makes every output channel). State-dict names
    match timm's ``repghostnet_*``, whose ImageNet weights load after
    ``tools/model_converters/convert_ghostnet_weights.py``.

    The stage ends have GhostNet's channels: RepGhostNet-1.11x gives
    28/44/124/176, like GhostNet-1.1x. Arguments as :class:`GhostNet`
    (timm's widths: 0.5, 0.58, 0.8, 1.0, 1.11, 1.3, 1.5, 2.0).
    ``switch_to_deploy()`` re-parameterises each module's identity branch
    into its cheap conv and folds every BatchNorm.
    """

    # [kernel, expansion, out channels, SE ratio, stride] per block group
    # (RepGhost paper, Table 1; timm's repghost.py)
    arch_settings: List[List[List[float]]] = [
        [[3, 8, 16, 0, 1]],
        [[3, 24, 24, 0, 2]],
        [[3, 36, 24, 0, 1]],
        [[5, 36, 40, 0.25, 2]],
        [[5, 60, 40, 0.25, 1]],
        [[3, 120, 80, 0, 2]],
        [[3, 100, 80, 0, 1], [3, 120, 80, 0, 1], [3, 120, 80, 0, 1],
         [3, 240, 112, 0.25, 1], [3, 336, 112, 0.25, 1]],
        [[5, 336, 160, 0.25, 2]],
        [[5, 480, 160, 0, 1], [5, 480, 160, 0.25, 1], [5, 480, 160, 0, 1],
         [5, 480, 160, 0.25, 1]],
    ]
    last_channels = 960  # twice the last expansion
    ghost_module = RepGhostModule
