"""Make the synthetic COCO-format shapes dataset the demo trains on.

    python tools/make_demo_data.py [--out data/synthetic_coco] [--train 600]

Deterministic: the same options give the same images and annotations.
Nothing is regenerated when the folder already holds the same dataset.
"""
import argparse
import sys
from pathlib import Path

from ghost_det.datasets import SyntheticCocoConfig, ensure_synthetic_coco


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', type=Path, default=Path('data/synthetic_coco'))
    parser.add_argument('--train', type=int, default=600,
                        help='training images')
    parser.add_argument('--val', type=int, default=150,
                        help='validation images')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--force', action='store_true',
                        help='regenerate even if the data is there')
    args = parser.parse_args()
    if args.train < 1 or args.val < 1:
        parser.error('--train and --val must be at least 1')
    cfg = SyntheticCocoConfig(num_train=args.train, num_val=args.val,
                              seed=args.seed)
    if not ensure_synthetic_coco(args.out, cfg, args.force):
        print(f'{args.out} already holds this dataset (use --force to '
              'remake it)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
