"""Time the test iterations of a run (the demo's inference images/s)."""
import time

import torch
from mmdet.registry import HOOKS
from mmengine.hooks import Hook


@HOOKS.register_module()
class InferenceTimerHook(Hook):
    """Times each test iteration from the loaded batch to its
    post-processed, evaluator-ready predictions (data loading excluded)."""

    priority = 'VERY_LOW'

    def __init__(self) -> None:
        self.seconds, self.images, self._start = 0.0, 0, 0.0

    @staticmethod
    def _sync() -> None:
        if torch.cuda.is_available():
            torch.cuda.synchronize()

    def before_test_iter(self, runner, batch_idx, data_batch=None) -> None:
        self._sync()
        self._start = time.perf_counter()

    def after_test_iter(self, runner, batch_idx, data_batch=None,
                        outputs=None) -> None:
        self._sync()
        self.seconds += time.perf_counter() - self._start
        self.images += len(outputs)

    @property
    def images_per_s(self) -> float:
        return self.images / self.seconds
