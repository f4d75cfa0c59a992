import pytest
import torch
import torch.nn as nn

from ghost_det.models.layers.channel_layout import ChannelLayout, relaid_conv, round_up


def test_round_up():
    assert [round_up(c, 16) for c in (1, 16, 17, 28)] == [16, 16, 32, 32]
    assert round_up(14, 1) == 14


def test_ghost_layout_places_halves_at_padded_offsets():
    layout = ChannelLayout.ghost(28, pad_to=16)  # halves of 14 -> 16
    assert layout.size == 32
    assert layout.index.tolist() == list(range(14)) + list(range(16, 30))
    assert not layout.is_dense
    assert ChannelLayout.ghost(28, pad_to=1).is_dense
    assert ChannelLayout.ghost(28, pad_to=2).is_dense  # 14 is already even


def test_gather_returns_real_channels_in_order():
    layout = ChannelLayout(torch.tensor([3, 0, 2]), 5)
    x = torch.arange(5.).view(1, 5, 1, 1)
    assert layout.gather(x).flatten().tolist() == [3., 0., 2.]


@pytest.mark.parametrize('groups', [1, 6])
def test_relaid_conv_writes_real_channels_and_zeros(groups):
    conv = nn.Conv2d(6, 6, 3, padding=1, groups=groups, bias=groups == 1)
    nn.init.normal_(conv.weight)
    in_layout = ChannelLayout(torch.tensor([0, 1, 2, 8, 9, 10]), 16)
    out_layout = in_layout if groups > 1 else ChannelLayout(
        torch.tensor([5, 4, 3, 2, 1, 0]), 7)
    new = relaid_conv(conv, in_layout, out_layout)
    x = torch.randn(2, 6, 9, 9)
    padded = torch.zeros(2, in_layout.size, 9, 9)
    padded[:, in_layout.index] = x
    with torch.no_grad():
        y = new(padded)
        torch.testing.assert_close(out_layout.gather(y), conv(x))
        unused = torch.ones(out_layout.size, dtype=torch.bool)
        unused[out_layout.index] = False
        assert (y[:, unused] == 0).all()
        # padded inputs are never read: garbage there changes nothing
        padded[:, 3:8] = float('1e6')
        torch.testing.assert_close(out_layout.gather(new(padded)), conv(x))


def test_relaid_conv_refuses_what_it_cannot_keep_exact():
    dense = ChannelLayout.dense(4)
    with pytest.raises(ValueError, match='does not match layouts'):
        relaid_conv(nn.Conv2d(4, 8, 1), dense, dense)
    with pytest.raises(ValueError, match='depthwise'):
        relaid_conv(nn.Conv2d(4, 4, 3, groups=2), dense, dense)
    with pytest.raises(ValueError, match='depthwise'):
        relaid_conv(nn.Conv2d(4, 4, 3, groups=4), dense,
                    ChannelLayout(torch.arange(4), 8))
