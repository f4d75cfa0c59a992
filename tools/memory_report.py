"""Memory over a training run: peak, and growth after warm-up.

    python tools/memory_report.py CONFIG [--iters 200] [--batch 2]
        [--warmup 50] [--work-dir DIR] [--cfg-options ...]

Trains CONFIG for --iters iterations (no validation, no checkpoints) and
records the process's resident memory (and CUDA's peak allocation on a GPU)
after every iteration; prints them every 10%, then the peak and the growth
from the end of warm-up to the end. A leak shows as growth that keeps
rising with the iterations; allocator noise as a few MB either way.
"""
import argparse
import os.path as osp
import statistics
import sys

import psutil
import torch
from mmengine.config import Config, DictAction
from mmengine.hooks import Hook
from mmengine.runner import Runner

import ghost_det  # noqa: F401  (registers modules)


class MemoryTrace(Hook):
    priority = 'VERY_LOW'

    def __init__(self) -> None:
        self.rss_mb: list = []
        self.cuda_mb: list = []
        self.process = psutil.Process()

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        self.rss_mb.append(self.process.memory_info().rss / 2**20)
        if torch.cuda.is_available():
            self.cuda_mb.append(torch.cuda.max_memory_allocated() / 2**20)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('--iters', type=int, default=200)
    parser.add_argument('--batch', type=int, default=2)
    parser.add_argument('--warmup', type=int, default=50,
                        help='iterations before growth is measured')
    parser.add_argument('--work-dir', default='work_dirs/memory_report')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if not osp.isfile(args.config):
        raise SystemExit(f'error: config file {args.config} not found')
    if not 0 < args.warmup < args.iters:
        raise SystemExit('error: need 0 < --warmup < --iters')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.work_dir = args.work_dir
    cfg.train_dataloader.batch_size = args.batch
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=args.iters,
                         val_interval=args.iters + 1)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.param_scheduler = None
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook',
                                        interval=args.iters + 1,
                                        by_epoch=False, save_last=False)
    cfg.log_processor = dict(type='LogProcessor', by_epoch=False)
    cfg.default_hooks.logger = dict(type='LoggerHook',
                                    interval=max(args.iters // 10, 1))
    trace = MemoryTrace()
    runner = Runner.from_cfg(cfg)
    runner.register_hook(trace)
    runner.train()

    rss = trace.rss_mb
    step = max(len(rss) // 10, 1)
    print(f'\nresident memory (MB) after each of {len(rss)} iterations at '
          f'batch {args.batch}, {torch.get_num_threads()} thread(s):')
    for i in range(step - 1, len(rss), step):
        cuda = (f'   CUDA peak {trace.cuda_mb[i]:.0f}' if trace.cuda_mb
                else '')
        print(f'  iteration {i + 1:5d}: {rss[i]:8.1f}{cuda}')
    after = rss[args.warmup:]
    half = len(after) // 2
    first, last = statistics.median(after[:half]), statistics.median(
        after[half:])
    print(f'peak {max(rss):.1f} MB; after warm-up (iteration '
          f'{args.warmup + 1} on) from {min(after):.1f} to {max(after):.1f} '
          f'MB; median of the second half minus the first: '
          f'{last - first:+.1f} MB over {len(after) - half} iterations')
    return 0


if __name__ == '__main__':
    sys.exit(main())
