import pytest
import torch
import torch.nn as nn

from ghost_det.analysis import count_complexity
from tests._timm_reference import randomised_timm_ghostnet


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        x = self.bn(self.conv(x)).mean((2, 3))
        return self.fc(x)


def test_counts_conv_and_fc_multiply_adds_only():
    flops, params, by_module = count_complexity(
        Tiny(), (torch.zeros(1, 3, 8, 8), ))
    assert flops == 8 * 3 * 9 * 64 + 8 * 10  # conv + fc, no BN/mean
    assert params == (8 * 3 * 9 + 8) + 2 * 8 + (8 * 10 + 10)
    assert by_module['conv'] == 8 * 3 * 9 * 64 and by_module['bn'] == 0


def test_mmengine_default_counts_more_than_the_paper():
    paper, _, _ = count_complexity(Tiny(), (torch.zeros(1, 3, 8, 8), ))
    default, _, _ = count_complexity(Tiny(), (torch.zeros(1, 3, 8, 8), ),
                                     paper_ops=False)
    assert default > paper


def test_timm_ghostnet_gives_the_paper_count():
    """Independent reference: timm's GhostNet 1.0x under the same counter."""
    flops, params, _ = count_complexity(
        randomised_timm_ghostnet(1.0), (torch.zeros(1, 3, 224, 224), ))
    assert flops / 1e6 == pytest.approx(141, rel=0.02)
    assert params / 1e6 == pytest.approx(5.2, rel=0.02)


def test_counting_restores_train_mode():
    model = Tiny().train()
    count_complexity(model, (torch.zeros(1, 3, 8, 8), ))
    assert model.training


class WithUnusedLayer(Tiny):
    def __init__(self):
        super().__init__()
        self.unused = nn.Conv2d(8, 100, 1)


def test_parameters_of_layers_that_never_run_are_not_counted():
    """As the FLOPs leave them out (e.g. GhostNet's blocks.9 in a
    detector), so does the parameter count."""
    _, params, _ = count_complexity(
        WithUnusedLayer(), (torch.zeros(1, 3, 8, 8), ))
    assert params == (8 * 3 * 9 + 8) + 2 * 8 + (8 * 10 + 10)


@pytest.mark.slow
def test_detector_backbone_count_leaves_out_blocks_9():
    from ghost_det.models import GhostNet
    x = (torch.zeros(1, 3, 224, 224), )
    full = GhostNet(widen_factor=1.1, out_indices=(9, ))
    detector_backbone = GhostNet(widen_factor=1.1)
    flops_full, params_full, _ = count_complexity(full, x)
    flops_det, params_det, _ = count_complexity(detector_backbone, x)
    blocks_9 = sum(p.numel() for p in full.blocks[9].parameters())
    assert params_full - params_det == blocks_9
    assert flops_full - flops_det == 176 * 1056 * 7 * 7  # blocks.9 1x1 conv


class WithDeadLayer(Tiny):
    """Runs a layer whose result is thrown away (like MobileNetV2's last
    1x1 conv in a detector)."""

    def __init__(self):
        super().__init__()
        self.dead = nn.Conv2d(8, 100, 1)

    def forward(self, x):
        features = self.bn(self.conv(x))
        self.dead(features)
        return self.fc(features.mean((2, 3)))


def test_parameters_of_layers_that_feed_nothing_are_not_counted():
    flops, params, _ = count_complexity(
        WithDeadLayer(), (torch.zeros(1, 3, 8, 8), ))
    assert flops == 8 * 3 * 9 * 64 + 8 * 10
    assert params == (8 * 3 * 9 + 8) + 2 * 8 + (8 * 10 + 10)
