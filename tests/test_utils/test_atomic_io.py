import errno

import pytest

from ghost_det.utils import atomic_io
from ghost_det.utils.atomic_io import AtomicWriteError, atomic_write


def test_writes_and_replaces_whole_files(tmp_path):
    path = tmp_path / 'sub' / 'epoch_1.pth'
    atomic_write(path, b'first')
    atomic_write(path, b'second version')
    assert path.read_bytes() == b'second version'
    assert [p.name for p in path.parent.iterdir()] == ['epoch_1.pth']


def test_a_full_disk_leaves_the_old_file_and_no_partial_one(tmp_path,
                                                             monkeypatch):
    path = tmp_path / 'last_checkpoint'
    atomic_write(path, 'epoch_1.pth')

    def full_disk(f, data):
        f.write(data[:3])  # part of it reaches the disk, then it is full
        raise OSError(errno.ENOSPC, 'No space left on device')

    monkeypatch.setattr(atomic_io, '_write', full_disk)
    with pytest.raises(AtomicWriteError, match='the disk is full') as err:
        atomic_write(path, 'epoch_2.pth')
    assert err.value.errno == errno.ENOSPC
    assert 'is intact' in str(err.value) and '--resume' in str(err.value)
    assert path.read_text() == 'epoch_1.pth'
    assert [p.name for p in tmp_path.iterdir()] == ['last_checkpoint']


def test_mmengine_saves_through_the_atomic_backend(tmp_path, monkeypatch):
    """mmengine's save_checkpoint with backend_args=dict(backend=
    'atomic_local') writes through atomic_write."""
    import torch
    from mmengine.runner.checkpoint import save_checkpoint
    written = []
    real = atomic_io.atomic_write
    monkeypatch.setattr(atomic_io, 'atomic_write',
                        lambda p, d: (written.append(str(p)), real(p, d)))
    path = tmp_path / 'epoch_1.pth'
    save_checkpoint({'w': torch.ones(2)}, str(path),
                    backend_args=dict(backend='atomic_local'))
    assert written == [str(path)]
    assert torch.equal(torch.load(path, weights_only=True)['w'],
                       torch.ones(2))
