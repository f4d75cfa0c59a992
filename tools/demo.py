"""The main job: make the synthetic data, train detectors from scratch on the
CPU, evaluate COCO-style mAP, print the table and save pictures of
predictions on validation images.

    python tools/demo.py                      # GhostNet-1.1x RetinaNet
    python tools/demo.py --detectors retinanet faster-rcnn
    python tools/demo.py --compare            # + MobileNetV2 / V3 backbones
    python tools/demo.py --compare --seeds 3  # each model 3 times: mean, std
    python tools/demo.py --compare --detectors faster-rcnn

--compare trains the same detector with GhostNet-1.1x, mmdet's MobileNetV2
1.0x and mmpretrain's MobileNetV3-Large 1.0x (configs/demo/*_demo.py: only
the backbone and the FPN in_channels differ) and lays the results out as
the paper's Table 8 with tools/compare.py. A killed run picks up where it
stopped when started again: finished models are not trained again, the
interrupted one resumes from its last checkpoint.
"""
import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

from mmengine.config import DictAction

import ghost_det  # noqa: F401  (registers modules, safe checkpoint loading)
from ghost_det.datasets import SyntheticCocoConfig, ensure_synthetic_coco
from ghost_det.table8 import COCO_METRICS
from ghost_det.visualization import save_prediction_grid

ROOT = Path(__file__).resolve().parents[1]
BACKBONES = ('ghostnet-1.1x', 'mobilenetv2-1.0x', 'mobilenetv3-large-1.0x')
CONFIGS: Dict[str, Dict[str, str]] = {
    detector: {b: f'configs/demo/{detector}_{b}_fpn_demo.py'
               for b in BACKBONES}
    for detector in ('retinanet', 'faster-rcnn')}


def plan(detectors: List[str], compare: bool, seeds: int) -> List[Dict]:
    runs = []
    for detector in detectors:
        backbones = BACKBONES if compare else BACKBONES[:1]
        runs += [dict(detector=detector, backbone=b, seed=seed)
                 for seed in range(seeds) for b in backbones]
    # seed by seed: an interrupted --seeds run already holds whole comparisons
    return sorted(runs, key=lambda r: r['seed'])


def run_dir(work_dir: Path, run: Dict) -> Path:
    return work_dir / f"{run['detector']}_{run['backbone']}" / \
        f"seed{run['seed']}"


def point_to_data(cfg, data_root: Path) -> None:
    """Read the synthetic dataset from ``data_root`` instead of the
    config's ``data/synthetic_coco/``."""
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.data_root = str(data_root)
    for split in ('val', 'test'):
        cfg[f'{split}_evaluator'].ann_file = str(
            data_root / 'annotations/instances_val.json')


def train_and_evaluate(run: Dict, work_dir: Path, data_root: Path,
                       options: Dict) -> Dict:
    """Train one model (resuming an interrupted run), evaluate it and, for
    seed 0, draw its predictions. A finished run is read back, not redone."""
    from mmengine.config import Config
    from mmengine.runner import Runner
    out = run_dir(work_dir, run)
    result_file = out / 'result.json'
    if result_file.is_file():
        return json.loads(result_file.read_text())
    cfg = Config.fromfile(str(ROOT / CONFIGS[run['detector']][run['backbone']]))
    point_to_data(cfg, data_root)
    if options:
        cfg.merge_from_dict(options)
    cfg.work_dir = str(out)
    # mmengine keeps one visualizer per name in a process: without a name of
    # its own, every later run would log into the first run's work dir
    cfg.visualizer.name = f"visualizer_{out}"
    cfg.randomness = dict(seed=run['seed'])
    cfg.resume = True  # continue a killed run; no-op on a fresh one
    runner = Runner.from_cfg(cfg)
    resumed = (out / 'last_checkpoint').is_file()
    start = time.time()
    runner.train()
    train_s = time.time() - start
    # compare.py reads the train time from here
    (out / 'train_time.json').write_text(json.dumps(
        dict(train_s=train_s, resumed=resumed)))
    metrics = runner.test()
    if f'coco/{COCO_METRICS[0]}' not in metrics:
        raise SystemExit(
            f'error: {out}: the model predicted no box above the test '
            'score threshold, so there is no mAP (see the log above). Train '
            'longer, or lower the threshold with --cfg-options '
            'model.test_cfg.score_thr=0.0 (Faster R-CNN: '
            'model.test_cfg.rcnn.score_thr=0.0).')
    result = dict(run, epochs=cfg.train_cfg.max_epochs, train_s=train_s,
                  resumed=resumed, work_dir=str(out),
                  **{m: metrics[f'coco/{m}'] for m in COCO_METRICS})
    if run['seed'] == 0:
        picture = work_dir / f"predictions_{run['detector']}_" \
                             f"{run['backbone']}.png"
        save_prediction_grid(runner, picture)
        result['picture'] = str(picture)
    result_file.write_text(json.dumps(result, indent=2))
    return result


def results_table(rows: List[Dict]) -> str:
    lines = ['| detector | backbone (from scratch) | seed | epochs | train time'
             ' | mAP | AP50 | AP75 | APs | APm | APl |',
             '|---|---|---|---|---|---|---|---|---|---|---|']
    for r in rows:
        lines.append(
            f"| {r['detector']} | {r['backbone']} | {r['seed']} | "
            f"{r['epochs']} | {r['train_s'] / 60:.1f} min"
            + (' (resumed)' if r['resumed'] else '') + ' | '
            + ' | '.join(f'{r[m]:.3f}' for m in COCO_METRICS) + ' |')
    return '\n'.join(lines)


def table8(rows: List[Dict], work_dir: Path) -> str:
    """The Table 8 layout and plot of the runs, by tools/compare.py."""
    result = subprocess.run(
        [sys.executable, str(ROOT / 'tools/compare.py'), '--runs',
         *[r['work_dir'] for r in rows], '--out', str(work_dir / 'table8.md'),
         '--plot', str(work_dir / 'table8.png')],
        capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f'tools/compare.py failed:\n{result.stderr[-3000:]}')
    return result.stdout


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0], epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--detectors', nargs='+', choices=sorted(CONFIGS),
                        default=['retinanet'])
    parser.add_argument('--compare', action='store_true',
                        help='also train the MobileNetV2/V3 baselines')
    parser.add_argument('--seeds', type=int, default=1,
                        help='train each model this many times (seeds 0..N-1)')
    parser.add_argument('--work-dir', type=Path, default=Path('work_dirs/demo'))
    parser.add_argument('--data-root', type=Path,
                        default=Path('data/synthetic_coco'),
                        help='the synthetic dataset (made there if missing)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        default={}, help='override settings of every model, '
                        'key=value (e.g. train_cfg.max_epochs=4)')
    args = parser.parse_args()
    if args.seeds < 1:
        parser.error(f'--seeds must be at least 1, got {args.seeds}')
    runs = plan(args.detectors, args.compare, args.seeds)
    start = time.time()
    # the default dataset is (re)made as needed; another root is used as it
    # is when it holds a dataset
    if (args.data_root == parser.get_default('data_root') or not (
            args.data_root / 'annotations/instances_train.json').is_file()):
        ensure_synthetic_coco(args.data_root, SyntheticCocoConfig())
    rows, fresh_s, fresh = [], 0.0, 0
    for i, run in enumerate(runs, 1):
        eta = (f', about {fresh_s / fresh * (len(runs) - i + 1) / 60:.0f} min '
               'left' if fresh else '')
        print(f"\n[demo] model {i}/{len(runs)}: {run['detector']} with "
              f"{run['backbone']}, seed {run['seed']}{eta}", flush=True)
        t0 = time.time()
        rows.append(train_and_evaluate(run, args.work_dir, args.data_root,
                                       args.cfg_options))
        if time.time() - t0 > 5:  # trained here, not read back
            fresh_s, fresh = fresh_s + time.time() - t0, fresh + 1
    table = results_table(rows)
    (args.work_dir / 'results.json').write_text(json.dumps(rows, indent=2))
    (args.work_dir / 'results.md').write_text(table + '\n')
    print('\nSynthetic shapes val split, COCO bbox metrics (pycocotools):')
    print(table)
    if args.compare or args.seeds > 1:
        print('\nTable 8 layout (tools/compare.py), mAP in %:')
        print(table8(rows, args.work_dir), end='')
        print(f"table: {args.work_dir / 'table8.md'}, plot: "
              f"{args.work_dir / 'table8.png'}")
    for r in rows:
        if 'picture' in r:
            print(f"predictions on val images: {r['picture']}")
    print(f'total demo time {(time.time() - start) / 60:.1f} min')
    return 0


if __name__ == '__main__':
    sys.exit(main())
