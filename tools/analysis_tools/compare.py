"""Gather evaluated runs into the GhostNet paper's Table 8 layout.

    python tools/analysis_tools/compare.py --configs configs/ghostnet/*_1x_coco.py \
        configs/baselines/*.py                        # costs + paper, no runs
    python tools/analysis_tools/compare.py --runs work_dirs/retinanet_... \
        work_dirs/faster-rcnn_... --out table8.md --plot table8.png

A run is a work dir of tools/train.py or tools/test.py: the config dumped
there names the model, and the newest COCO bbox metrics logged there are
its result. Configs given without a run are listed "not trained here".
Runs of one config (e.g. the seeds of tools/demo.py --compare --seeds 3)
make one row of mean ± std.
"""
import argparse
import sys
from pathlib import Path

import ghost_det  # noqa: F401  (registers GhostNet)
from ghost_det.analysis.table8 import markdown, table8_rows
from ghost_det.analysis.visualization import plot_table8


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0], epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--runs', nargs='*', type=Path, default=[],
                        help='work dirs of evaluated runs')
    parser.add_argument('--configs', nargs='*', type=Path, default=[],
                        help='configs to list without a run')
    parser.add_argument('--out', type=Path, help='write the markdown here')
    parser.add_argument('--plot', type=Path, help='save mAP vs FLOPs here')
    args = parser.parse_args()
    if not args.runs and not args.configs:
        parser.error('give --runs and/or --configs')
    for work_dir in args.runs:
        if not work_dir.is_dir():
            parser.error(f'{work_dir} is not a directory')
    for config in args.configs:
        if not config.is_file():
            parser.error(f'config {config} not found')
    try:
        rows = table8_rows(args.runs, args.configs)
    except ValueError as err:
        raise SystemExit(f'error: {err}')
    table = markdown(rows)
    print(table)
    if args.out:
        args.out.write_text(table + '\n')
    if args.plot:
        plot_table8(rows, args.plot)
        print(f'plot saved to {args.plot}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
