"""Resident (and CUDA peak) memory after every training iteration."""
from typing import List

import psutil
import torch
from mmdet.registry import HOOKS
from mmengine.hooks import Hook


@HOOKS.register_module()
class MemoryTraceHook(Hook):
    """Records the process's resident memory in MB (and CUDA's peak
    allocation on a GPU) after each training iteration."""

    priority = 'VERY_LOW'

    def __init__(self) -> None:
        self.rss_mb: List[float] = []
        self.cuda_mb: List[float] = []
        self.process = psutil.Process()

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        self.rss_mb.append(self.process.memory_info().rss / 2**20)
        if torch.cuda.is_available():
            self.cuda_mb.append(torch.cuda.max_memory_allocated() / 2**20)
