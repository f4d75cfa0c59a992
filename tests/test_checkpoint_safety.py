import collections
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub

import ghost_det  # noqa: F401  (registers the allowed types)


def test_mmengine_message_hub_and_numpy_load_safely(tmp_path):
    hub = MessageHub.get_instance('ghost_det_safety_test')
    hub.update_scalar('train/loss', 0.5)
    hub.update_info('seed', np.int64(3))
    ckpt = dict(meta=dict(epoch=1, seed=np.int64(3),
                          mean=np.array([1.0, 2.0], dtype=np.float32)),
                message_hub=hub.state_dict(),
                state_dict=collections.OrderedDict(w=torch.ones(2)))
    path = tmp_path / 'ckpt.pth'
    torch.save(ckpt, path)
    loaded = torch.load(path, weights_only=True)
    buffer = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(buffer, HistoryBuffer) and buffer.current() == 0.5
    assert loaded['meta']['seed'] == 3
    assert loaded['meta']['mean'].tolist() == [1.0, 2.0]


class Arbitrary:
    pass


def test_other_objects_are_still_refused(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save({'x': Arbitrary()}, path)
    with pytest.raises(pickle.UnpicklingError, match='Weights only load'):
        torch.load(path, weights_only=True)


class SneakyGetattr:
    """Pickles as getattr(HistoryBuffer, '__init__'): not a statistic."""

    def __reduce__(self):
        return getattr, (HistoryBuffer, '__init__')


def test_getattr_only_reaches_history_buffer_statistics(tmp_path):
    path = tmp_path / 'sneaky.pth'
    torch.save({'x': SneakyGetattr()}, path)
    with pytest.raises(pickle.UnpicklingError, match='refusing getattr'):
        torch.load(path, weights_only=True)
