"""Exact resume in the middle of an epoch.

mmengine's ``EpochBasedTrainLoop`` resumed from an iteration checkpoint
(``CheckpointHook(by_epoch=False)``) restarts the epoch from its first batch
while keeping the iteration count: it trains again on the batches it had
already seen, and the random state (augmentation, samplers in the heads) is
not the one the killed run had. :class:`ExactResumeEpochBasedTrainLoop`
skips the batches the checkpoint has already trained on (the sampler gives
the same order: mmengine seeds it per epoch), and :class:`RandomStateHook`
saves the Python, NumPy and torch random states in every checkpoint and
puts them back once those batches are skipped. With ``num_workers=0``, or
workers that are not persistent, a killed and resumed run then ends with
the weights of an uninterrupted one (tests/test_engine/test_loops.py). Persistent
workers restart their random streams on resume, so augmentation after it
differs (it stays a valid random draw).
"""
import random
from typing import Optional

import numpy as np
import torch
from mmdet.registry import LOOPS
from mmengine.logging import print_log
from mmengine.runner import EpochBasedTrainLoop


def get_random_state() -> dict:
    state = dict(python=random.getstate(), numpy=np.random.get_state(),
                 torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_random_state(state: dict) -> None:
    random.setstate(state['python'])
    np.random.set_state(state['numpy'])
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


@LOOPS.register_module()
class ExactResumeEpochBasedTrainLoop(EpochBasedTrainLoop):
    """``EpochBasedTrainLoop`` that resumes mid-epoch where it stopped."""

    pending_random_state: Optional[dict] = None

    def run_epoch(self) -> None:
        done = self._iter - self._epoch * len(self.dataloader)
        if done <= 0:
            if self.pending_random_state is not None:
                set_random_state(self.pending_random_state)
                self.pending_random_state = None
            return super().run_epoch()
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        print_log(f'resuming epoch {self._epoch + 1} after its first {done} '
                  f'iterations: skipping their batches', logger='current')
        batches = iter(self.dataloader)
        for _ in range(done):
            next(batches)
        if self.pending_random_state is not None:
            set_random_state(self.pending_random_state)
            self.pending_random_state = None
        for idx, data_batch in enumerate(batches, start=done):
            self.run_iter(idx, data_batch)
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1
