import pytest
import torch
import torch.nn as nn

from ghost_det.analysis import count_complexity

from ._timm_reference import randomised_timm_ghostnet


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
