"""Make the synthetic COCO-format shapes dataset the demo trains on.

    python tools/make_demo_data.py [--out data/synthetic_coco] [--train 600]

Deterministic: the same options give the same images and annotations.
Nothing is regenerated when the folder already holds the same dataset.
"""
import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

from ghost_det.datasets import SyntheticCocoConfig, make_synthetic_coco


def ensure_demo_data(out: Path, cfg: SyntheticCocoConfig,
                     force: bool = False) -> bool:
    """Generate unless ``out`` already holds this dataset; True if made."""
    stamp = out / 'generator.json'
    wanted = dataclasses.asdict(cfg)
    wanted['image_size'] = list(cfg.image_size)
    if (not force and stamp.is_file()
            and json.loads(stamp.read_text()) == wanted):
        return False
    start = time.time()
    print(f'making synthetic COCO dataset in {out} ({cfg.num_train} train, '
          f'{cfg.num_val} val images) ...', flush=True)
    files = make_synthetic_coco(out, cfg)
    for split, ann in files.items():
        data = json.loads(ann.read_text())
        print(f'  {split}: {len(data["images"])} images, '
              f'{len(data["annotations"])} objects -> {ann}')
    stamp.write_text(json.dumps(wanted))
    print(f'done in {time.time() - start:.1f}s')
    return True


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
    if not ensure_demo_data(args.out, cfg, args.force):
        print(f'{args.out} already holds this dataset (use --force to '
              'remake it)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
