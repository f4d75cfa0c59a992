"""Test-only hooks that fail a training process at a fixed point, which
makes the fault independent of how fast the machine runs:
SigkillAfterIteration (right after the checkpoint of an iteration is
written) and FaultInCheckpointWrite (in the middle of a checkpoint's
write: a kill or a full disk)."""
import errno
import os
import signal

from mmdet.registry import HOOKS
from mmengine.hooks import Hook


@HOOKS.register_module()
class SigkillAfterIteration(Hook):
    priority = 'LOWEST'  # after CheckpointHook has saved this iteration

    def __init__(self, iteration: int) -> None:
        self.iteration = iteration

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if runner.iter + 1 == self.iteration:
            os.kill(os.getpid(), signal.SIGKILL)


@HOOKS.register_module()
class FaultInCheckpointWrite(Hook):
    """At the ``nth`` checkpoint file written (``*.pth``; not
    ``last_checkpoint``), write half of its bytes, then either SIGKILL the
    process (``fault='kill'``) or fail as a full disk does
    (``fault='full'``: ENOSPC)."""

    def __init__(self, nth: int, fault: str) -> None:
        self.nth, self.fault, self.count = nth, fault, 0

    def before_run(self, runner) -> None:
        from ghost_det.utils import atomic_io
        real = atomic_io._write

        def faulty(f, data):
            if '.pth.' in os.path.basename(f.name):
                self.count += 1
                if self.count == self.nth:
                    f.write(data[:len(data) // 2])
                    f.flush()
                    os.fsync(f.fileno())
                    if self.fault == 'kill':
                        os.kill(os.getpid(), signal.SIGKILL)
                    raise OSError(errno.ENOSPC, 'No space left on device')
            real(f, data)

        atomic_io._write = faulty
