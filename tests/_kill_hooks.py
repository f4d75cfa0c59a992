"""A test-only hook: the training process SIGKILLs itself right after the
checkpoint of a given iteration is written (tests/test_loops.py). Dying at
a fixed point makes the kill independent of how fast the machine runs."""
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
