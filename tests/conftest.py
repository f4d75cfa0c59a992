import pytest
import torch

import ghost_det  # noqa: F401  (before any mmdet.models import)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def randomize_norms(model: torch.nn.Module) -> torch.nn.Module:
    """Give every BatchNorm trained-looking statistics and affine weights
    (defaults would make BN folding trivially exact); returns the model in
    eval mode."""
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.running_mean.uniform_(-1, 1)
            m.running_var.uniform_(0.25, 4)
            with torch.no_grad():
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
    model.eval()  # (mmpretrain's MobileNetV3.train returns None)
    return model


def assert_close_relative(actual: torch.Tensor, expected: torch.Tensor,
                          rtol: float = 1e-4) -> None:
    """|actual - expected| <= rtol * max|expected|, elementwise."""
    assert actual.shape == expected.shape
    scale = expected.abs().max().clamp_min(1e-12)
    err = ((actual - expected).abs().max() / scale).item()
    assert err <= rtol, f'max relative difference {err:.2e} > {rtol:.0e}'
