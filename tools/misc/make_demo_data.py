"""Make the synthetic COCO-format shapes dataset the demo trains on.

    python tools/misc/make_demo_data.py [--out data/synthetic_coco] [--train 600]
    python tools/misc/make_demo_data.py --scale detection   # the CUDA comparison's
    python tools/misc/make_demo_data.py --scale pretrain    # classification crops

--scale pretrain makes the pretraining stage's classification crops
(configs/demo/pretrain/) in data/synthetic_cls; there --train and --val
count crops per class (default 60 / 15).

Deterministic: the same options give the same images and annotations (for
any --workers). Nothing is regenerated when the folder already holds the
same dataset. tools/demo.py makes the data it needs itself; this makes it
ahead of time.
"""
import argparse
import dataclasses
import os
import sys
from pathlib import Path

from ghost_det.datasets import (
    DETECTION_SCALE,
    SyntheticClsConfig,
    SyntheticCocoConfig,
    ensure_synthetic_cls,
    ensure_synthetic_coco,
)

SCALES = {
    # the CPU demo: 4 classes, 256x256
    'demo': (SyntheticCocoConfig(), Path('data/synthetic_coco')),
    # tools/demo.py --scale detection: 20 classes, around 1333x800
    'detection': (DETECTION_SCALE, Path('data/synthetic_shapes20')),
    # the pretraining stage: 40 classes of 64-96 px crops
    'pretrain': (SyntheticClsConfig(), Path('data/synthetic_cls')),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--scale', choices=sorted(SCALES), default='demo')
    parser.add_argument('--out', type=Path,
                        help='default: data/synthetic_coco, or with --scale '
                        'detection data/synthetic_shapes20')
    parser.add_argument('--train', type=int,
                        help='training images (default: 600 / 10000)')
    parser.add_argument('--val', type=int,
                        help='validation images (default: 150 / 1000)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--workers', type=int, default=os.cpu_count() or 1,
                        help='processes making images (default: all cores)')
    parser.add_argument('--force', action='store_true',
                        help='regenerate even if the data is there')
    args = parser.parse_args()
    cfg, out = SCALES[args.scale]
    out = args.out or out
    if args.scale == 'pretrain':
        cfg = dataclasses.replace(
            cfg, seed=args.seed,
            train_per_class=cfg.train_per_class if args.train is None
            else args.train,
            val_per_class=cfg.val_per_class if args.val is None else args.val)
        if cfg.train_per_class < 1 or cfg.val_per_class < 1:
            parser.error('--train and --val must be at least 1')
        if not ensure_synthetic_cls(out, cfg, args.force):
            print(f'{out} already holds this dataset (use --force to remake '
                  'it)')
        return 0
    cfg = dataclasses.replace(
        cfg, seed=args.seed,
        num_train=cfg.num_train if args.train is None else args.train,
        num_val=cfg.num_val if args.val is None else args.val)
    if cfg.num_train < 1 or cfg.num_val < 1:
        parser.error('--train and --val must be at least 1')
    if args.workers < 1:
        parser.error(f'--workers must be at least 1, got {args.workers}')
    if not ensure_synthetic_coco(out, cfg, args.force, args.workers):
        print(f'{out} already holds this dataset (use --force to remake it)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
