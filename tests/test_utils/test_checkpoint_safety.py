import collections
import copyreg
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


class RunsShell:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os
        return os.system, (f'touch {self.marker}', )


def test_code_execution_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'x': RunsShell(marker)}, path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)
    assert not marker.exists()


class GetattrChain:
    """getattr(getattr(HistoryBuffer, 'update'), '__globals__')"""

    def __reduce__(self):
        return getattr, (HistoryBuffer.update, '__globals__')


class RegisterStatistics:
    def __reduce__(self):
        return getattr, (HistoryBuffer, 'register_statistics')


@pytest.mark.parametrize('crafted', [GetattrChain, RegisterStatistics])
def test_getattr_chains_are_refused(tmp_path, crafted):
    path = tmp_path / 'chain.pth'
    torch.save({'x': crafted()}, path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)


def crafted_history_buffer(path, methods):
    """A checkpoint whose HistoryBuffer state carries ``methods`` as its
    statistics_methods, pickled the way mmengine pickles them."""
    buffer = HistoryBuffer([1.0, 5.0, 3.0], [1, 1, 1])
    state = dict(buffer.__dict__, statistics_methods=methods)
    copyreg.pickle(HistoryBuffer,
                   lambda b: (copyreg.__newobj__, (HistoryBuffer, ), state))
    try:
        torch.save({'message_hub': {'log_scalars': {'loss': buffer}}}, path)
    finally:
        copyreg.dispatch_table.pop(HistoryBuffer)


WIDENING = {'mean': HistoryBuffer.max, '__class__': HistoryBuffer.min}


def test_widening_the_statistics_changes_nothing(tmp_path):
    path = tmp_path / 'widen.pth'
    crafted_history_buffer(path, WIDENING)
    before = dict(HistoryBuffer._statistics_methods)
    loaded = torch.load(path, weights_only=True)
    assert HistoryBuffer._statistics_methods == before
    buffer = loaded['message_hub']['log_scalars']['loss']
    assert type(buffer) is HistoryBuffer
    assert buffer.statistics('mean') == 3.0  # still the mean, not the max
    assert 'statistics_methods' not in vars(buffer)


def test_the_widening_file_does_widen_without_the_safe_loader(tmp_path):
    """The crafted file is a real attack: mmengine's own unpickling (full
    pickle) replaces 'mean' for the whole process."""
    path = tmp_path / 'widen.pth'
    crafted_history_buffer(path, WIDENING)
    before = dict(HistoryBuffer._statistics_methods)
    try:
        torch.load(path, weights_only=False)
        assert HistoryBuffer._statistics_methods['mean'] is HistoryBuffer.max
        assert '__class__' in HistoryBuffer._statistics_methods
    finally:
        HistoryBuffer._statistics_methods.clear()
        HistoryBuffer._statistics_methods.update(before)


def runner_like_checkpoint():
    hub = MessageHub.get_instance('ghost_det_numpy_versions')
    hub.update_scalar('train/loss', 0.25)
    return dict(meta=dict(epoch=3, iter=30, seed=np.int64(7),
                          mean=np.array([1.5, 2.5], dtype=np.float32)),
                message_hub=hub.state_dict(),
                state_dict=collections.OrderedDict(w=torch.ones(2)))


@pytest.mark.parametrize('numpy_names', ['numpy.core', 'numpy._core'])
def test_runner_checkpoints_of_numpy_1_and_2_load(tmp_path, numpy_names):
    """numpy 1.x pickled its arrays and scalars as numpy.core.multiarray.*;
    written here with numpy 2 (numpy._core.*) and renamed to the 1.x names
    (protocol 2 names globals as plain text lines)."""
    path = tmp_path / 'epoch_3.pth'
    torch.save(runner_like_checkpoint(), path,
               _use_new_zipfile_serialization=False)
    raw = path.read_bytes()
    assert b'numpy._core.multiarray\n' in raw
    path.write_bytes(raw.replace(b'numpy._core.multiarray\n',
                                 f'{numpy_names}.multiarray\n'.encode()))
    loaded = torch.load(path, weights_only=True)
    assert loaded['meta']['seed'] == 7
    assert loaded['meta']['mean'].tolist() == [1.5, 2.5]
    buffer = loaded['message_hub']['log_scalars']['train/loss']
    assert type(buffer) is HistoryBuffer and buffer.current() == 0.25
