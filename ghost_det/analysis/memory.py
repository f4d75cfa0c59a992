"""Memory over a training run: peak, and growth after warm-up."""
import statistics
from typing import Optional

import torch
from mmengine.config import Config

from ..engine.hooks import MemoryTraceHook


def trace_training_memory(cfg: Config, iters: int, batch: int,
                          work_dir: str) -> MemoryTraceHook:
    """Train ``cfg`` for ``iters`` iterations at ``batch`` images (no
    validation, no checkpoints, no LR schedule) and return the trace."""
    from mmengine.runner import Runner
    cfg.work_dir = work_dir
    cfg.train_dataloader.batch_size = batch
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=iters,
                         val_interval=iters + 1)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.param_scheduler = None
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook',
                                        interval=iters + 1, by_epoch=False,
                                        save_last=False)
    cfg.log_processor = dict(type='LogProcessor', by_epoch=False)
    cfg.default_hooks.logger = dict(type='LoggerHook',
                                    interval=max(iters // 10, 1))
    trace = MemoryTraceHook()
    runner = Runner.from_cfg(cfg)
    runner.register_hook(trace)
    runner.train()
    return trace


def memory_report(trace: MemoryTraceHook, batch: int, warmup: int,
                  threads: Optional[int] = None) -> str:
    """Resident memory every tenth of the run, the peak, and the median
    of the second half after warm-up minus the first half's (a leak keeps
    rising; allocator noise is a few MB either way)."""
    rss = trace.rss_mb
    step = max(len(rss) // 10, 1)
    lines = [f'resident memory (MB) after each of {len(rss)} iterations at '
             f'batch {batch}, {threads or torch.get_num_threads()} '
             'thread(s):']
    for i in range(step - 1, len(rss), step):
        cuda = (f'   CUDA peak {trace.cuda_mb[i]:.0f}' if trace.cuda_mb
                else '')
        lines.append(f'  iteration {i + 1:5d}: {rss[i]:8.1f}{cuda}')
    after = rss[warmup:]
    half = len(after) // 2
    first, last = statistics.median(after[:half]), statistics.median(
        after[half:])
    lines.append(f'peak {max(rss):.1f} MB; after warm-up (iteration '
                 f'{warmup + 1} on) from {min(after):.1f} to {max(after):.1f} '
                 f'MB; median of the second half minus the first: '
                 f'{last - first:+.1f} MB over {len(after) - half} iterations')
    return '\n'.join(lines)
