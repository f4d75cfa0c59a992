"""What re-parameterisation needs of a BatchNorm."""
from typing import Tuple

import torch
import torch.nn as nn


def norm_scale_shift(norm: nn.BatchNorm2d) -> Tuple[torch.Tensor,
                                                    torch.Tensor]:
    """(scale, shift) with ``norm(x) == x * scale + shift`` in eval mode."""
    scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
    return scale, norm.bias - norm.running_mean * scale
