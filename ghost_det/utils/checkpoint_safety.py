"""Let mmengine's own checkpoints load under torch's safe ``weights_only``.

torch >= 2.6 loads with ``weights_only=True``. mmengine 0.10.7 saves, next
to the tensors, its message hub (``HistoryBuffer`` objects holding numpy
arrays) and numpy scalars in the meta data, so its resume and test paths
fail with "Weights only load failed". Rather than switching the safe loader
off, we allow exactly those types by name (``torch.serialization.
add_safe_globals``); anything else in a checkpoint is still refused.

Two holes are closed on the way:

- ``HistoryBuffer.__setstate__`` merges the checkpoint's
  ``statistics_methods`` into the class-level ``_statistics_methods`` dict:
  a crafted checkpoint could register or replace statistics for the whole
  process. The name ``mmengine.logging.history_buffer.HistoryBuffer`` is
  therefore mapped to :class:`_HistoryBufferFromCheckpoint`, which takes
  only the buffer's data from the state, never touches class state, and
  then becomes a plain ``HistoryBuffer``.
- ``HistoryBuffer`` pickles its statistics methods as ``getattr(
  HistoryBuffer, 'mean')``. Allowing ``getattr`` itself would open the
  loader to anything, so the ``getattr`` global is mapped to
  :func:`history_buffer_method`, which only returns the four statistics
  mmengine defines (a fixed set, not the class dict a checkpoint could
  have widened).

Checkpoints written under numpy 1.x name ``numpy.core.multiarray.*``;
those names are allowed too and map to numpy 2's ``numpy._core`` objects.
The allowed set is fixed here; nothing in a checkpoint can change it.
"""
import pickle
from typing import Any, List

import numpy as np
import torch
from mmengine.logging import HistoryBuffer


def _numpy_globals() -> List:
    core = getattr(np, '_core', None) or np.core
    allowed = [np.ndarray, np.dtype, core.multiarray._reconstruct,
               core.multiarray.scalar]
    # the names numpy 1.x wrote (and numpy 2 writes as numpy._core.*)
    for module in ('numpy.core.multiarray', 'numpy._core.multiarray'):
        allowed += [(core.multiarray._reconstruct, f'{module}._reconstruct'),
                    (core.multiarray.scalar, f'{module}.scalar')]
    # dtype classes (numpy >= 1.25 pickles e.g. numpy.dtypes.Float64DType)
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        allowed += [getattr(dtypes, name) for name in dir(dtypes)
                    if name.endswith('DType')]
    return allowed


# mmengine's own HistoryBuffer statistics; fixed, whatever a process or a
# checkpoint has registered since
STATISTICS = frozenset({'min', 'max', 'current', 'mean'})
HISTORY_BUFFER = 'mmengine.logging.history_buffer.HistoryBuffer'
HISTORY_BUFFER_FIELDS = frozenset({'_log_history', '_count_history',
                                   'max_length'})


class _HistoryBufferFromCheckpoint(HistoryBuffer):
    """Unpickles a HistoryBuffer from its data alone, then becomes one."""

    def __setstate__(self, state: Any) -> None:
        if not isinstance(state, dict) or not set(state) <= (
                HISTORY_BUFFER_FIELDS | {'statistics_methods'}):
            shown = sorted(state) if isinstance(state, dict) else state
            raise pickle.UnpicklingError(
                f'refusing a HistoryBuffer state with fields {shown!r}')
        # statistics_methods is dropped: the class keeps its own
        self.__dict__.update(
            {k: state[k] for k in HISTORY_BUFFER_FIELDS if k in state})
        self.__class__ = HistoryBuffer


def history_buffer_method(owner: Any, name: str) -> Any:
    """``getattr`` restricted to mmengine's HistoryBuffer statistics."""
    if (owner not in (HistoryBuffer, _HistoryBufferFromCheckpoint)
            or name not in STATISTICS):
        raise pickle.UnpicklingError(
            f'refusing getattr({owner!r}, {name!r}) in a checkpoint: only '
            f'the HistoryBuffer statistics {sorted(STATISTICS)} are allowed')
    return getattr(HistoryBuffer, name)


def mmengine_checkpoint_globals() -> List:
    """The non-tensor types mmengine 0.10 writes into its checkpoints."""
    return [(_HistoryBufferFromCheckpoint, HISTORY_BUFFER), *_numpy_globals(),
            (history_buffer_method, 'builtins.getattr'),
            (history_buffer_method, '__builtin__.getattr')]


def allow_mmengine_checkpoints() -> None:
    """Register mmengine's checkpoint types with torch's safe loader, for
    the whole process (``import ghost_det`` calls it; loading needs it).

    What changes in the process: torch's global safe-globals list gains the
    entries of :func:`mmengine_checkpoint_globals` (the numpy types, the
    guarded ``HistoryBuffer`` and the guarded ``getattr``), so every
    ``torch.load(..., weights_only=True)`` in the process, ours or not,
    accepts those names. Nothing else: ``weights_only`` stays on, every
    other global is still refused, no mmengine or torch function is
    patched, and calling it again adds nothing new."""
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is not None:  # torch < 2.4 loads everything anyway
        add(mmengine_checkpoint_globals())
