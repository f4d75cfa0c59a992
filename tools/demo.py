"""The main job: make the synthetic data, train GhostNet-1.1x detectors from
scratch on the CPU, evaluate COCO-style mAP, print the table and save a
picture of predictions on validation images.

    python tools/demo.py                      # RetinaNet
    python tools/demo.py --detectors retinanet faster-rcnn

A killed run picks up from its last checkpoint when started again.
"""
import argparse
import json
import sys
import time
from pathlib import Path

import ghost_det  # noqa: F401  (registers modules, safe checkpoint loading)
from ghost_det.datasets import SyntheticCocoConfig, ensure_synthetic_coco
from ghost_det.table8 import COCO_METRICS
from ghost_det.visualization import save_prediction_grid

CONFIGS = {
    'retinanet': 'configs/demo/retinanet_ghostnet-1.1x_fpn_demo.py',
    'faster-rcnn': 'configs/demo/faster-rcnn_ghostnet-1.1x_fpn_demo.py',
}


def train_and_evaluate(name: str, work_dir: Path) -> dict:
    from mmengine.config import Config
    from mmengine.runner import Runner
    cfg = Config.fromfile(CONFIGS[name])
    cfg.work_dir = str(work_dir / name)
    cfg.resume = True  # continue a killed run; no-op on a fresh one
    runner = Runner.from_cfg(cfg)
    start = time.time()
    runner.train()
    train_s = time.time() - start
    metrics = runner.test()
    picture = work_dir / f'predictions_{name}.png'
    save_prediction_grid(runner, picture)
    return dict(name=name, epochs=cfg.train_cfg.max_epochs,
                train_s=train_s, picture=str(picture),
                **{m: metrics[f'coco/{m}'] for m in COCO_METRICS})


def results_table(rows: list) -> str:
    lines = ['| detector (GhostNet-1.1x, from scratch) | epochs | train time'
             ' | mAP | AP50 | AP75 | APs | APm | APl |',
             '|---|---|---|---|---|---|---|---|---|']
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['epochs']} | {r['train_s'] / 60:.1f} min | "
            + ' | '.join(f'{r[m]:.3f}' for m in COCO_METRICS) + ' |')
    return '\n'.join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--detectors', nargs='+', choices=sorted(CONFIGS),
                        default=['retinanet'])
    parser.add_argument('--work-dir', type=Path, default=Path('work_dirs/demo'))
    args = parser.parse_args()
    start = time.time()
    ensure_synthetic_coco(Path('data/synthetic_coco'), SyntheticCocoConfig())
    rows = [train_and_evaluate(d, args.work_dir) for d in args.detectors]
    table = results_table(rows)
    (args.work_dir / 'results.json').write_text(json.dumps(rows, indent=2))
    (args.work_dir / 'results.md').write_text(table + '\n')
    print('\nSynthetic shapes val split, COCO bbox metrics (pycocotools):')
    print(table)
    for r in rows:
        print(f"predictions on val images: {r['picture']}")
    print(f'total demo time {(time.time() - start) / 60:.1f} min')
    return 0


if __name__ == '__main__':
    sys.exit(main())
