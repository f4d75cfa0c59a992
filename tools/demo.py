"""The main job: make the synthetic data, train detectors from scratch on the
CPU, evaluate COCO-style mAP, print the table and save pictures of
predictions on validation images.

    python tools/demo.py                      # GhostNet-1.1x RetinaNet
    python tools/demo.py --detectors retinanet faster-rcnn
    python tools/demo.py --compare            # + MobileNetV2 / V3 backbones
    python tools/demo.py --compare --seeds 3  # each model 3 times: mean, std
    python tools/demo.py --compare --detectors faster-rcnn
    python tools/demo.py --scale detection    # on a CUDA machine: hours
    python tools/demo.py --deterministic      # bit-reproducible, 1 thread

--compare trains the same detector with GhostNet-1.1x, mmdet's MobileNetV2
1.0x and mmpretrain's MobileNetV3-Large 1.0x (configs/demo/*_demo.py: only
the backbone and the FPN in_channels differ) and lays the results out as
the paper's Table 8 with tools/compare.py. A killed run picks up where it
stopped when started again: finished models are not trained again, the
interrupted one resumes from its last checkpoint.

--scale detection is the same comparison at detection scale, for a CUDA
machine: all six Table 8 detectors (configs/detection_scale/: the COCO
configs' model, pipeline and SGD 1x schedule, 16 images a batch, from
scratch) on a 20-class synthetic set of 10k images around 1333x800 with
COCO's object sizes (made in data/synthetic_shapes20/ by all CPU cores).
Besides mAP it reports train and inference images/s.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

from mmengine.config import DictAction
from mmengine.hooks import Hook

import ghost_det  # noqa: F401  (registers modules, safe checkpoint loading)
from ghost_det.datasets import (
    DETECTION_SCALE,
    SyntheticCocoConfig,
    ensure_synthetic_coco,
)
from ghost_det.table8 import COCO_METRICS
from ghost_det.utils.reproducibility import (
    pin_threads_and_cublas,
    relax_cuda_checks,
    request_determinism,
)
from ghost_det.visualization import save_prediction_grid

ROOT = Path(__file__).resolve().parents[1]
BACKBONES = ('ghostnet-1.1x', 'mobilenetv2-1.0x', 'mobilenetv3-large-1.0x')
DETECTORS = ('retinanet', 'faster-rcnn')
# per scale: config pattern, dataset, where it is made, work dir, detectors
SCALES: Dict[str, Dict] = {
    'demo': dict(config='configs/demo/{detector}_{backbone}_fpn_demo.py',
                 data=SyntheticCocoConfig(),
                 data_root=Path('data/synthetic_coco'),
                 work_dir=Path('work_dirs/demo'), detectors=['retinanet']),
    'detection': dict(
        config='configs/detection_scale/{detector}_{backbone}_fpn_1x_'
        'shapes20.py', data=DETECTION_SCALE,
        data_root=Path('data/synthetic_shapes20'),
        work_dir=Path('work_dirs/detection_scale'),
        detectors=list(DETECTORS)),
}


def plan(detectors: List[str], compare: bool, seeds: int,
         scale: str = 'demo') -> List[Dict]:
    runs = []
    for detector in detectors:
        backbones = BACKBONES if compare else BACKBONES[:1]
        runs += [dict(detector=detector, backbone=b, seed=seed, config=SCALES[
            scale]['config'].format(detector=detector, backbone=b))
                 for seed in range(seeds) for b in backbones]
    # seed by seed: an interrupted --seeds run already holds whole comparisons
    return sorted(runs, key=lambda r: r['seed'])


def run_dir(work_dir: Path, run: Dict) -> Path:
    return work_dir / f"{run['detector']}_{run['backbone']}" / \
        f"seed{run['seed']}"


def device_name() -> str:
    import torch
    if torch.cuda.is_available():
        return torch.cuda.get_device_name()
    model = platform.processor() or platform.machine()
    cpuinfo = Path('/proc/cpuinfo')
    if cpuinfo.is_file():
        names = [line.split(':', 1)[1].strip() for line in
                 cpuinfo.read_text().splitlines()
                 if line.startswith('model name')]
        model = names[0] if names else model
    return f'CPU ({model}, {torch.get_num_threads()} threads)'


class InferenceTimer(Hook):
    """Times each test iteration from the loaded batch to its
    post-processed, evaluator-ready predictions (data loading excluded)."""
    priority = 'VERY_LOW'

    def __init__(self):
        self.seconds, self.images, self._start = 0.0, 0, 0.0

    def _sync(self):
        import torch
        if torch.cuda.is_available():
            torch.cuda.synchronize()

    def before_test_iter(self, runner, batch_idx, data_batch=None):
        self._sync()
        self._start = time.perf_counter()

    def after_test_iter(self, runner, batch_idx, data_batch=None,
                        outputs=None):
        self._sync()
        self.seconds += time.perf_counter() - self._start
        self.images += len(outputs)


def point_to_data(cfg, data_root: Path) -> None:
    """Read the synthetic dataset from ``data_root`` instead of the
    config's."""
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.data_root = str(data_root)
    for split in ('val', 'test'):
        cfg[f'{split}_evaluator'].ann_file = str(
            data_root / 'annotations/instances_val.json')


def train_and_evaluate(run: Dict, work_dir: Path, data_root: Path,
                       options: Dict, deterministic: bool = False) -> Dict:
    """Train one model (resuming an interrupted run), evaluate it and, for
    seed 0, draw its predictions. A finished run is read back, not redone."""
    from mmengine.config import Config
    from mmengine.runner import Runner
    out = run_dir(work_dir, run)
    result_file = out / 'result.json'
    if result_file.is_file():
        return json.loads(result_file.read_text())
    cfg = Config.fromfile(str(ROOT / run['config']))
    point_to_data(cfg, data_root)
    if options:
        cfg.merge_from_dict(options)
    cfg.work_dir = str(out)
    # mmengine keeps one visualizer per name in a process: without a name of
    # its own, every later run would log into the first run's work dir
    cfg.visualizer.name = f"visualizer_{out}"
    cfg.randomness = dict(seed=run['seed'])
    if deterministic:
        request_determinism(cfg, run['seed'])
    cfg.resume = True  # continue a killed run; no-op on a fresh one
    runner = Runner.from_cfg(cfg)
    if deterministic:
        relax_cuda_checks()
    resumed = (out / 'last_checkpoint').is_file()
    start = time.time()
    runner.train()
    train_s = time.time() - start
    # a resumed run's time covers only what ran after the resume
    train_images = None if resumed else (
        cfg.train_cfg.max_epochs * len(runner.train_dataloader.dataset))
    timer = InferenceTimer()
    runner.register_hook(timer)
    metrics = runner.test()
    speed = dict(
        train_s=train_s, resumed=resumed, device=device_name(),
        train_images_per_s=train_images / train_s if train_images else None,
        inference_images_per_s=timer.images / timer.seconds,
        inference_batch_size=cfg.test_dataloader.batch_size)
    # compare.py reads the train time and speeds from here
    (out / 'train_time.json').write_text(json.dumps(speed))
    if f'coco/{COCO_METRICS[0]}' not in metrics:
        raise SystemExit(
            f'error: {out}: the model predicted no box above the test '
            'score threshold, so there is no mAP (see the log above). Train '
            'longer, or lower the threshold with --cfg-options '
            'model.test_cfg.score_thr=0.0 (Faster R-CNN: '
            'model.test_cfg.rcnn.score_thr=0.0).')
    result = dict(run, epochs=cfg.train_cfg.max_epochs, work_dir=str(out),
                  **speed,
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
             ' | train img/s | inference img/s | mAP | AP50 | AP75 | APs | APm'
             ' | APl |', '|---' * 13 + '|']
    for r in rows:
        train_speed = r.get('train_images_per_s')
        lines.append(
            f"| {r['detector']} | {r['backbone']} | {r['seed']} | "
            f"{r['epochs']} | {r['train_s'] / 60:.1f} min"
            + (' (resumed)' if r['resumed'] else '') + ' | '
            + (f'{train_speed:.1f}' if train_speed else '-') + ' | '
            + (f"{r['inference_images_per_s']:.1f}"
               if 'inference_images_per_s' in r else '-') + ' | '
            + ' | '.join(f'{r[m]:.3f}' for m in COCO_METRICS) + ' |')
    devices = sorted({r['device'] for r in rows if 'device' in r})
    lines.append(f"\ndevice: {', '.join(devices) or 'not recorded'}; "
                 'inference: test-time forward with post-processing at the '
                 "config's test batch size, data loading excluded")
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
    parser.add_argument('--scale', choices=sorted(SCALES), default='demo',
                        help='demo: the CPU demo (default); detection: the '
                        'six Table 8 detectors at 1333x800 on 10k images, '
                        'for a CUDA machine (implies --compare)')
    parser.add_argument('--detectors', nargs='+', choices=DETECTORS,
                        help='default: retinanet; with --scale detection '
                        'both')
    parser.add_argument('--compare', action='store_true',
                        help='also train the MobileNetV2/V3 baselines')
    parser.add_argument('--seeds', type=int, default=1,
                        help='train each model this many times (seeds 0..N-1)')
    parser.add_argument('--work-dir', type=Path,
                        help='default: work_dirs/demo, or with --scale '
                        'detection work_dirs/detection_scale')
    parser.add_argument('--data-root', type=Path,
                        help='the synthetic dataset, made there if missing '
                        '(default: data/synthetic_coco, or with --scale '
                        'detection data/synthetic_shapes20)')
    parser.add_argument('--allow-cpu', action='store_true',
                        help='run --scale detection without a GPU (only '
                        'sensible with a small --data-root and --cfg-options)')
    parser.add_argument('--deterministic', action='store_true',
                        help='bit-reproducible training on this machine: '
                        'deterministic algorithms, one intra-op CPU thread')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        default={}, help='override settings of every model, '
                        'key=value (e.g. train_cfg.max_epochs=4)')
    args = parser.parse_args()
    scale = SCALES[args.scale]
    if args.seeds < 1:
        parser.error(f'--seeds must be at least 1, got {args.seeds}')
    if args.scale == 'detection':
        import torch
        args.compare = True
        if not torch.cuda.is_available() and not args.allow_cpu:
            parser.error(
                '--scale detection trains six detectors for 12 epochs on 10k '
                'images of 1333x800: hours on a GPU, weeks on a CPU, and no '
                'CUDA device is visible. Run it on a CUDA machine, or the CPU '
                'demo (--scale demo), or force a shrunk run with --allow-cpu.')
    detectors = args.detectors or scale['detectors']
    work_dir = args.work_dir or scale['work_dir']
    runs = plan(detectors, args.compare, args.seeds, args.scale)
    start = time.time()
    # the default dataset is (re)made as needed; another root is used as it
    # is when it holds a dataset
    data_root = args.data_root or scale['data_root']
    if args.data_root is None or not (
            data_root / 'annotations/instances_train.json').is_file():
        ensure_synthetic_coco(data_root, scale['data'],
                              workers=os.cpu_count() or 1)
    if args.deterministic:
        pin_threads_and_cublas()
    print(f'[demo] device: {device_name()}', flush=True)
    rows, fresh_s, fresh = [], 0.0, 0
    for i, run in enumerate(runs, 1):
        eta = (f', about {fresh_s / fresh * (len(runs) - i + 1) / 60:.0f} min '
               'left' if fresh else '')
        print(f"\n[demo] model {i}/{len(runs)}: {run['detector']} with "
              f"{run['backbone']}, seed {run['seed']}{eta}", flush=True)
        t0 = time.time()
        rows.append(train_and_evaluate(run, work_dir, data_root,
                                       args.cfg_options, args.deterministic))
        if time.time() - t0 > 5:  # trained here, not read back
            fresh_s, fresh = fresh_s + time.time() - t0, fresh + 1
    table = results_table(rows)
    (work_dir / 'results.json').write_text(json.dumps(rows, indent=2))
    (work_dir / 'results.md').write_text(table + '\n')
    print('\nSynthetic shapes val split, COCO bbox metrics (pycocotools):')
    print(table)
    if args.compare or args.seeds > 1:
        print('\nTable 8 layout (tools/compare.py), mAP in %:')
        print(table8(rows, work_dir), end='')
        print(f"table: {work_dir / 'table8.md'}, plot: "
              f"{work_dir / 'table8.png'}")
    for r in rows:
        if 'picture' in r:
            print(f"predictions on val images: {r['picture']}")
    print(f'total demo time {(time.time() - start) / 60:.1f} min')
    return 0


if __name__ == '__main__':
    sys.exit(main())
