"""timm's Ghost-family networks with seeded random weights, the
independent reference."""
from typing import Dict, Mapping

import timm
import torch
from timm.models.ghostnet import _create_ghostnet

from ghost_det.models.utils import convert_state_dict

TIMM_NAMES = {0.5: 'ghostnet_050', 1.0: 'ghostnet_100', 1.3: 'ghostnet_130'}


REPGHOST_NAMES = {0.5: 'repghostnet_050', 0.58: 'repghostnet_058',
                  0.8: 'repghostnet_080', 1.0: 'repghostnet_100',
                  1.11: 'repghostnet_111', 1.3: 'repghostnet_130',
                  1.5: 'repghostnet_150', 2.0: 'repghostnet_200'}


def randomised_timm_ghostnet(widen: float, seed: int = 0) -> torch.nn.Module:
    """timm GhostNet at ``widen`` (1.1 via timm's class), random weights
    and random BatchNorm statistics, in eval mode."""
    torch.manual_seed(seed)
    if widen in TIMM_NAMES:
        model = timm.create_model(TIMM_NAMES[widen], pretrained=False)
    else:  # no registered variant: timm's own builder and table at widen
        model = _create_ghostnet('ghostnet_100', width=widen)
    return randomised_norms(model, seed)


GHOSTNETV2_NAMES = {1.0: 'ghostnetv2_100', 1.3: 'ghostnetv2_130',
                    1.6: 'ghostnetv2_160'}


GHOSTNETV3_NAMES = {0.5: 'ghostnetv3_050', 1.0: 'ghostnetv3_100',
                    1.3: 'ghostnetv3_130', 1.6: 'ghostnetv3_160'}


def randomised_timm_model(name: str, seed: int = 0) -> torch.nn.Module:
    """timm's ``name`` (e.g. ``repghostnet_111``), as
    :func:`randomised_timm_ghostnet`."""
    torch.manual_seed(seed)
    return randomised_norms(timm.create_model(name, pretrained=False), seed)


def randomised_timm_repghostnet(widen: float,
                                seed: int = 0) -> torch.nn.Module:
    return randomised_timm_model(REPGHOST_NAMES[widen], seed)


def randomised_timm_ghostnetv2(widen: float,
                               seed: int = 0) -> torch.nn.Module:
    return randomised_timm_model(GHOSTNETV2_NAMES[widen], seed)


def randomised_timm_ghostnetv3(widen: float,
                               seed: int = 0) -> torch.nn.Module:
    return randomised_timm_model(GHOSTNETV3_NAMES[widen], seed)


def randomised_norms(model: torch.nn.Module, seed: int) -> torch.nn.Module:
    """Random BatchNorm statistics and affine parameters from a seeded
    generator (milder than tests._helpers.randomise_norms, whose global
    draws the deploy tests were measured with); eval mode."""
    gen = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                n = m.num_features
                m.running_mean.copy_(torch.randn(n, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(n, generator=gen) * 1.5 + 0.5)
                m.weight.copy_(torch.rand(n, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(n, generator=gen) * 0.1)
    return model.eval()


def timm_block_outputs(model: torch.nn.Module, x: torch.Tensor):
    """Outputs of timm's blocks.0 .. blocks.9 and the logits."""
    outs = []
    hooks = [blk.register_forward_hook(lambda m, i, o: outs.append(o.clone()))
             for blk in model.blocks]
    with torch.no_grad():
        logits = model(x)
    for h in hooks:
        h.remove()
    return outs, logits



def converted_backbone(state_dict: Mapping) -> Dict[str, torch.Tensor]:
    """The backbone part of ``convert_state_dict(state_dict)``, every
    source key placed."""
    converted, unplaced = convert_state_dict(state_dict)
    assert unplaced == []
    return {k[len('backbone.'):]: v for k, v in converted.items()
            if k.startswith('backbone.')}
