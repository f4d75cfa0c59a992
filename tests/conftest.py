import pytest
import torch

import ghost_det  # noqa: F401  (before any mmdet.models import)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)
