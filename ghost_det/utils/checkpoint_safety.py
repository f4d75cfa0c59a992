"""Let mmengine's own checkpoints load under torch's safe ``weights_only``.

torch >= 2.6 loads with ``weights_only=True``. mmengine 0.10.7 saves, next
to the tensors, its message hub (``HistoryBuffer`` objects holding numpy
arrays) and numpy scalars in the meta data, so its resume and test paths
fail with "Weights only load failed". Rather than switching the safe loader
off, we allow exactly those types by name (``torch.serialization.
add_safe_globals``); anything else in a checkpoint is still refused.

``HistoryBuffer`` pickles its statistics methods as ``getattr(HistoryBuffer,
'mean')``. Allowing ``getattr`` itself would open the loader to anything, so
the ``getattr`` global is mapped to :func:`history_buffer_method`, which only
looks up HistoryBuffer's own statistics methods.
"""
import pickle
from typing import Any, List

import numpy as np
import torch


def _numpy_globals() -> List:
    core = getattr(np, '_core', None) or np.core
    allowed = [np.ndarray, np.dtype, core.multiarray._reconstruct,
               core.multiarray.scalar]
    # dtype classes (numpy >= 1.25 pickles e.g. numpy.dtypes.Float64DType)
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        allowed += [getattr(dtypes, name) for name in dir(dtypes)
                    if name.endswith('DType')]
    return allowed


def history_buffer_method(owner: Any, name: str) -> Any:
    """``getattr`` restricted to HistoryBuffer's statistics methods."""
    from mmengine.logging import HistoryBuffer
    allowed = {'min', 'max', 'current', 'mean',
               *HistoryBuffer._statistics_methods}
    if owner is not HistoryBuffer or name not in allowed:
        raise pickle.UnpicklingError(
            f'refusing getattr({owner!r}, {name!r}) in a checkpoint: only '
            'mmengine HistoryBuffer statistics methods are allowed')
    return getattr(HistoryBuffer, name)


def mmengine_checkpoint_globals() -> List:
    """The non-tensor types mmengine 0.10 writes into its checkpoints."""
    from mmengine.logging import HistoryBuffer
    return [HistoryBuffer, *_numpy_globals(),
            (history_buffer_method, 'builtins.getattr'),
            (history_buffer_method, '__builtin__.getattr')]


def allow_mmengine_checkpoints() -> None:
    """Register mmengine's checkpoint types with torch's safe loader."""
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is not None:  # torch < 2.4 loads everything anyway
        add(mmengine_checkpoint_globals())
