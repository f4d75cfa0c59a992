import pytest
import torch
import torch.nn as nn

from ghost_det.deploy.channel_layout import (
    ChannelLayout,
    Part,
    SplitConv,
    round_up,
)


def test_round_up():
    assert [round_up(c, 16) for c in (1, 16, 17, 28)] == [16, 16, 32, 32]
    assert round_up(14, 1) == 14


def test_ghost_layout_places_halves_at_padded_offsets():
    layout = ChannelLayout.ghost(28, pad_to=16)  # halves of 14 -> 16
    (part, ) = layout.parts
    assert part.size == 32
    assert part.index.tolist() == list(range(14)) + list(range(16, 30))
    assert not layout.is_dense
    assert ChannelLayout.ghost(28, pad_to=1).is_dense
    assert ChannelLayout.ghost(28, pad_to=2).is_dense  # 14 is already even


def test_split_ghost_layout_has_two_padded_parts():
    layout = ChannelLayout.ghost(28, pad_to=16, split=True)
    first, second = layout.parts
    assert (first.size, second.size) == (16, 16)
    assert first.channels.tolist() == list(range(14))
    assert second.channels.tolist() == list(range(14, 28))
    assert second.index.tolist() == list(range(14))


@pytest.mark.parametrize('layout', [
    ChannelLayout(
        (Part(torch.tensor([3, 0, 2, 1]), torch.tensor([0, 1, 4, 2]), 5), ),
        4),
    ChannelLayout((Part(torch.tensor([1]), torch.tensor([2]), 3),
                   Part(torch.tensor([0, 2, 3]), torch.tensor([0, 1, 2]), 3)),
                  4)])
def test_scatter_then_gather_is_identity(layout):
    x = torch.randn(2, 4, 3, 3)
    parts = layout.scatter(x)
    assert [p.shape[1] for p in parts] == [p.size for p in layout.parts]
    assert torch.equal(layout.gather(parts), x)


LAYOUTS = {
    'dense': ChannelLayout.dense(6),
    'padded': ChannelLayout.ghost(6, pad_to=8),
    'split': ChannelLayout.ghost(6, pad_to=8, split=True),
}


# dense convs between any two layouts; depthwise ones keep their layout
CASES = [(1, a, b) for a in LAYOUTS for b in LAYOUTS] + [
    (6, a, a) for a in LAYOUTS]


@pytest.mark.parametrize('groups,in_name,out_name', CASES)
def test_split_conv_equals_conv_and_writes_zeros(groups, in_name, out_name):
    in_layout, out_layout = LAYOUTS[in_name], LAYOUTS[out_name]
    conv = nn.Conv2d(6, 6, 3, padding=1, groups=groups)
    nn.init.normal_(conv.weight)
    nn.init.normal_(conv.bias)
    split = SplitConv(conv, in_layout, out_layout)
    x = torch.randn(2, 6, 9, 9)
    parts = in_layout.scatter(x)
    with torch.no_grad():
        y = split(parts)
        torch.testing.assert_close(out_layout.gather(y), conv(x))
        for part, t in zip(out_layout.parts, y):
            unused = torch.ones(part.size, dtype=torch.bool)
            unused[part.index] = False
            assert (t[:, unused] == 0).all()
        # padded inputs are never read: garbage there changes nothing
        for part, t in zip(in_layout.parts, parts):
            unused = torch.ones(part.size, dtype=torch.bool)
            unused[part.index] = False
            t[:, unused] = 1e6
        torch.testing.assert_close(out_layout.gather(split(parts)), conv(x))


def test_split_conv_refuses_what_it_cannot_keep_exact():
    dense = ChannelLayout.dense(4)
    with pytest.raises(ValueError, match='does not match layouts'):
        SplitConv(nn.Conv2d(4, 8, 1), dense, dense)
    with pytest.raises(ValueError, match='depthwise'):
        SplitConv(nn.Conv2d(4, 4, 3, groups=2), dense, dense)
    with pytest.raises(ValueError, match='depthwise'):
        SplitConv(nn.Conv2d(4, 4, 3, groups=4), dense,
                  ChannelLayout.padded(4, 8))
