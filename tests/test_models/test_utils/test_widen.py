"""Net2Net widening of GhostNet weights, checked against timm: the widened
network computes timm's 1.0x channels and logits."""
import pytest
import torch
from timm.models.ghostnet import _create_ghostnet

from ghost_det.models import GhostNet
from ghost_det.models.utils import PretrainedWeightsError, widen_state_dict
from tests._helpers import first_fast
from tests._timm_reference import (
    randomised_timm_ghostnet,
    randomised_timm_repghostnet,
    timm_block_outputs,
)

STAGES = (2, 4, 6, 8, 9)


def target(widen: float):
    return GhostNet(widen_factor=widen, out_indices=(9, )).state_dict()


def timm_at(widen: float, state_dict) -> torch.nn.Module:
    """timm's own GhostNet at ``widen``, loaded strictly."""
    model = _create_ghostnet('ghostnet_100', width=widen)
    model.load_state_dict(state_dict, strict=True)
    return model.eval()


def assert_copies(wide: torch.Tensor, narrow: torch.Tensor) -> float:
    """Every channel of ``wide`` equals a channel of ``narrow`` and every
    channel of ``narrow`` appears (channels that ReLU zeroed everywhere
    are alike: each needs one zero channel in ``wide``). Returns the
    largest distance to the nearest channel, relative to the largest
    channel norm of ``narrow``."""
    a = wide.transpose(0, 1).flatten(1)
    b = narrow.transpose(0, 1).flatten(1)
    dist = torch.cdist(a, b, compute_mode='donot_use_mm_for_euclid_dist')
    best, index = dist.min(dim=1)
    norms = b.norm(dim=1)
    live = set(torch.nonzero(norms > 0).flatten().tolist())
    assert live <= set(index.tolist())
    assert (a.norm(dim=1) == 0).sum() >= (norms == 0).sum()
    return (best.max() / norms.max()).item()


def relative_gap(a: torch.Tensor, b: torch.Tensor) -> float:
    return ((a - b).abs().max() / b.abs().max()).item()


@pytest.mark.parametrize('widen', [1.1, 1.3])
def test_widened_backbone_reproduces_every_timm_channel(widen, tmp_path,
                                                        capsys):
    """Our wider backbone, loaded strictly through init_cfg from timm's
    1.0x file: every channel of every stage end and blocks.9 equals a 1.0x
    channel, and every 1.0x channel appears."""
    reference = randomised_timm_ghostnet(1.0, seed=3)
    path = tmp_path / 'state_dict_73.98.pth'
    torch.save(reference.state_dict(), path)
    model = GhostNet(widen_factor=widen, out_indices=STAGES, init_cfg=dict(
        type='Pretrained', checkpoint=str(path), widen=True)).eval()
    model.init_weights()
    x = torch.randn(2, 3, 96, 96)
    with torch.no_grad():
        ours = model(x)
    expected, _ = timm_block_outputs(reference, x)
    worst = 0.0
    for stage, out in zip(STAGES, ours):
        assert out.shape[1] == model.block_channels[stage]
        assert out.shape[1] > expected[stage].shape[1]
        gap = assert_copies(out, expected[stage])
        assert gap < 1e-5, (stage, gap)
        worst = max(worst, gap)
    with capsys.disabled():
        print(f'\n1.0x -> {widen}x: every stage-end and blocks.9 channel '
              f'equals a 1.0x channel within {worst:.1e} relative')


@pytest.mark.parametrize('widen', first_fast(1.1, 1.3))
@pytest.mark.parametrize('noise', first_fast(0.1, 0.0))
def test_widened_classifier_gives_timm_logits(widen, noise, capsys):
    """timm's own GhostNet at the wider width, loaded strictly with the
    widened weights (head included), gives the 1.0x logits; the noise is
    centred within each group of copies and keeps them too."""
    reference = randomised_timm_ghostnet(1.0, seed=4)
    wide = widen_state_dict(reference.state_dict(), target(widen),
                            noise=noise, seed=1)
    model = timm_at(widen, wide)
    x = torch.randn(4, 3, 128, 128)
    with torch.no_grad():
        gap = relative_gap(model(x), reference(x))
    assert gap < 1e-5
    with capsys.disabled():
        print(f'\n1.0x -> {widen}x, noise {noise}: logits within {gap:.1e} '
              f'of max |logit|')


def test_noise_changes_only_the_weights_that_read_copies():
    reference = randomised_timm_ghostnet(1.0, seed=4).state_dict()
    exact = widen_state_dict(reference, target(1.1), noise=0.0, seed=1)
    noisy = widen_state_dict(reference, target(1.1), noise=0.1, seed=1)
    changed = {k for k in exact if not torch.equal(exact[k], noisy[k])}
    # a 1x1 conv reading widened channels, and the head reading blocks.9
    assert 'blocks.6.0.ghost1.primary_conv.0.weight' in changed
    assert 'conv_head.weight' in changed
    # only full convs' weights: norms, biases and depthwise convs are exact
    assert all(exact[k].dim() == 4 and exact[k].shape[1] > 1
               for k in changed)
    assert 'blocks.0.0.ghost1.primary_conv.0.weight' not in changed


# reads the unwidened blocks.0 (16 channels at 1.0x and 1.1x), so the noise
# leaves its rows alone: primary half 24 -> 26, two copies
KEY = 'blocks.1.0.ghost1.primary_conv.0.weight'


def copy_pairs(state_dict) -> list:
    """Rows of KEY that are copies of each other."""
    rows = state_dict[KEY].flatten(1)
    return [(i, j) for i in range(len(rows)) for j in range(i)
            if torch.equal(rows[i], rows[j])]


def copy_drift(state_dict, pairs, steps: int = 4) -> float:
    """Train timm's 1.1x GhostNet a few SGD steps from ``state_dict``;
    return how far the rows of ``pairs`` differ (max over pairs, relative
    to the rows' norm)."""
    torch.manual_seed(0)
    model = timm_at(1.1, state_dict).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for _ in range(steps):
        x = torch.randn(8, 3, 64, 64)
        loss = torch.nn.functional.cross_entropy(
            model(x), torch.randint(0, 1000, (8, )))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    rows = dict(model.named_parameters())[KEY].detach().flatten(1)
    return max(((rows[i] - rows[j]).norm() / rows[j].norm()).item()
               for i, j in pairs)


@pytest.mark.slow  # trains in-process
def test_noise_lets_copies_drift_apart_and_exact_copies_stay(capsys):
    """The copies' incoming weights after a few SGD steps: without noise
    they stay equal (equal gradients), with noise they drift apart."""
    reference = randomised_timm_ghostnet(1.0, seed=4).state_dict()
    exact = widen_state_dict(reference, target(1.1), noise=0.0)
    pairs = copy_pairs(exact)
    assert len(pairs) == 26 - 24
    drift = {}
    for noise in (0.0, 0.01, 0.1):
        wide = widen_state_dict(reference, target(1.1), noise=noise)
        assert copy_pairs(wide) == pairs  # equal rows at the start
        drift[noise] = copy_drift(wide, pairs)
    assert drift[0.0] < 1e-5
    assert drift[0.1] > 1e-3
    with capsys.disabled():
        print('\nafter 4 SGD steps (lr 0.05, momentum 0.9), copies differ '
              'by ' + ', '.join(f'{d:.1e} at noise {n}'
                                for n, d in drift.items()) + ' (relative)')


def test_narrower_target_and_other_families_are_refused():
    reference = randomised_timm_ghostnet(1.0).state_dict()
    with pytest.raises(ValueError, match='narrower than the source'):
        widen_state_dict(reference, target(0.5))
    with pytest.raises(ValueError, match='RepGhostNet weights'):
        widen_state_dict(randomised_timm_repghostnet(1.0).state_dict(),
                         target(1.1))
    with pytest.raises(ValueError, match='noise must be >= 0'):
        widen_state_dict(reference, target(1.1), noise=-1)


def test_same_seed_same_widening_other_seed_other_copies():
    reference = randomised_timm_ghostnet(1.0).state_dict()
    key = 'blocks.8.0.ghost1.primary_conv.0.weight'
    a = widen_state_dict(reference, target(1.1), seed=0)[key]
    b = widen_state_dict(reference, target(1.1), seed=0)[key]
    c = widen_state_dict(reference, target(1.1), seed=1)[key]
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_init_cfg_widen_options_are_checked(tmp_path):
    path = tmp_path / 'narrow.pth'
    torch.save(randomised_timm_ghostnet(1.3).state_dict(), path)
    model = GhostNet(widen_factor=1.1, init_cfg=dict(
        type='Pretrained', checkpoint=str(path), widen=dict(nois=0.1)))
    with pytest.raises(PretrainedWeightsError, match='widen takes noise'):
        model.init_weights()
    model = GhostNet(widen_factor=1.1, init_cfg=dict(
        type='Pretrained', checkpoint=str(path), widen=True))
    with pytest.raises(PretrainedWeightsError,
                       match='cannot widen .* narrower than the source'):
        model.init_weights()


def test_without_widen_a_narrower_file_names_the_widen_fix(tmp_path):
    path = tmp_path / 'state_dict_73.98.pth'
    torch.save(randomised_timm_ghostnet(1.0).state_dict(), path)
    model = GhostNet(widen_factor=1.1, init_cfg=dict(
        type='Pretrained', checkpoint=str(path)))
    with pytest.raises(PretrainedWeightsError,
                       match=r'add widen=dict\(noise=0.1\) to init_cfg'):
        model.init_weights()
