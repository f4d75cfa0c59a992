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
    """|actual - expected| <= rtol * max|expected|, elementwise
    (``torch.testing.assert_close`` with the tolerance scaled to the
    output's magnitude, so near-zero elements are not held to a relative
    bound)."""
    scale = expected.detach().abs().max().clamp_min(1e-12).item()
    torch.testing.assert_close(actual, expected, rtol=0, atol=rtol * scale)


def exported_outputs(model: torch.nn.Module, backend: str, x: torch.Tensor,
                     path: str) -> list:
    """``model``'s outputs for ``x`` run by ``backend``: itself for
    ``pytorch``, else its ONNX export (traced at 64x64, so ``x`` tests the
    dynamic shape) in ONNX Runtime or OpenVINO, one thread."""
    if backend == 'pytorch':
        with torch.no_grad():
            return [t.numpy() for t in model(x)]
    from ghost_det.deploy import export_onnx
    from ghost_det.deploy.engine_detector import engine_session
    export_onnx(model, path, (1, 3, 64, 64))
    return engine_session(path, backend, threads=1).run(
        None, {'input': x.numpy()})
