"""Check a config's train and val datasets before training.

    python tools/misc/check_dataset.py CONFIG [--no-images] [--show N]

Reports, with file names and ids, missing, unreadable or truncated images,
sizes that differ from the annotation file, boxes outside the image or of
zero or negative area, unknown category ids, duplicate image or annotation
ids (errors), and grayscale, RGBA, 16-bit images and images without
objects (warnings). Exit code 1 on errors, 0 on warnings only.
"""
import argparse
import os.path as osp
import sys

from mmengine.config import Config, DictAction

import ghost_det  # noqa: F401  (configs may import it)
from ghost_det.datasets.check import check_config_datasets


def show(title: str, lines, limit: int) -> None:
    if not lines:
        return
    print(f'  {title}: {len(lines)}')
    for line in lines[:limit]:
        print(f'    {line}')
    if len(lines) > limit:
        print(f'    ... and {len(lines) - limit} more (--show {len(lines)})')


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0], epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('--no-images', action='store_true',
                        help='check the annotation files only')
    parser.add_argument('--show', type=int, default=20,
                        help='list at most this many problems of each kind')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    if not osp.isfile(args.config):
        parser.error(f'config file {args.config} not found')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    reports = check_config_datasets(cfg, check_images=not args.no_images)
    for report in reports:
        print(f'{report.name}: {report.images} images, '
              f'{report.annotations} annotations')
        show('errors', report.errors, args.show)
        show('warnings', report.warnings, args.show)
    errors = sum(len(r.errors) for r in reports)
    warnings = sum(len(r.warnings) for r in reports)
    print(f'{errors} errors, {warnings} warnings')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
