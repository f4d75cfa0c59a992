"""Atomic file writes: a file is either complete under its name or absent.

mmengine 0.10.7 writes checkpoints in place (``open(path, 'wb')``), so a
kill or a full disk during a save leaves a partial file under the real
name. :func:`atomic_write` writes a temporary file in the same folder,
flushes and fsyncs it, renames it into place with ``os.replace`` (atomic on
POSIX within a file system) and fsyncs the folder. On any failure the
temporary file is removed and the old file, if any, is left untouched.

:class:`AtomicLocalBackend` is mmengine's local file backend with that
``put``; it is registered as ``backend='atomic_local'`` for
``backend_args``, which mmengine's ``save_checkpoint`` honours.
"""
import errno
import os
import os.path as osp
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend

TMP_SUFFIX = '.tmp'  # temporary names: .<name>.<pid>.tmp, never *.pth


class AtomicWriteError(OSError):
    """A file could not be written; the previous version is intact."""


def temporary_name(path: str) -> str:
    folder, name = osp.split(path)
    return osp.join(folder, f'.{name}.{os.getpid()}{TMP_SUFFIX}')


def _write(f, data: bytes) -> None:
    """Write ``data`` to the open file ``f``; one place to fault in tests."""
    f.write(data)


def atomic_write(path: Union[str, Path], data: Union[bytes, str]) -> None:
    """Write ``data`` to ``path`` so that ``path`` is never partial."""
    path = str(path)
    if isinstance(data, str):
        data = data.encode('utf-8')
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = temporary_name(path)
    try:
        with open(tmp, 'wb') as f:
            _write(f, data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as err:
        if osp.exists(tmp):
            os.remove(tmp)
        why = ('the disk is full' if err.errno == errno.ENOSPC else
               err.strerror or str(err))
        raise AtomicWriteError(
            err.errno, f'could not write {path}: {why}. Nothing was written '
            f'under that name; an earlier version of it, and every other '
            f'file beside it, is intact. Free the space (or fix the '
            f'folder), then continue with tools/train.py CONFIG --resume') \
            from err
    _fsync_folder(folder)


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable (not all file systems allow it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@register_backend('atomic_local', force=True)
class AtomicLocalBackend(LocalBackend):
    """mmengine's local backend whose writes are atomic."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        atomic_write(filepath, obj)

    def put_text(self, obj: str, filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        atomic_write(filepath, obj.encode(encoding))
