"""Memory over a training run: peak, and growth after warm-up.

    python tools/analysis_tools/memory_report.py CONFIG [--iters 200]
        [--batch 2] [--warmup 50] [--work-dir DIR] [--cfg-options ...]

Trains CONFIG for --iters iterations (no validation, no checkpoints) and
records the process's resident memory (and CUDA's peak allocation on a GPU)
after every iteration; prints them every 10%, then the peak and the growth
from the end of warm-up to the end. A leak shows as growth that keeps
rising with the iterations; allocator noise as a few MB either way.
"""
import argparse
import os.path as osp
import sys

from mmengine.config import Config, DictAction

import ghost_det  # noqa: F401  (registers modules)
from ghost_det.analysis.memory import memory_report, trace_training_memory


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('--iters', type=int, default=200)
    parser.add_argument('--batch', type=int, default=2)
    parser.add_argument('--warmup', type=int, default=50,
                        help='iterations before growth is measured')
    parser.add_argument('--work-dir', default='work_dirs/memory_report')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    if not osp.isfile(args.config):
        raise SystemExit(f'error: config file {args.config} not found')
    if not 0 < args.warmup < args.iters:
        raise SystemExit('error: need 0 < --warmup < --iters')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    trace = trace_training_memory(cfg, args.iters, args.batch, args.work_dir)
    print('\n' + memory_report(trace, args.batch, args.warmup))
    return 0


if __name__ == '__main__':
    sys.exit(main())
