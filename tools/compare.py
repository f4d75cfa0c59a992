"""Gather evaluated runs into the GhostNet paper's Table 8 layout.

    python tools/compare.py --configs configs/ghostnet/*_1x_coco.py \
        configs/baselines/*.py                        # costs + paper, no runs
    python tools/compare.py --runs work_dirs/retinanet_ghostnet-1.1x_fpn_1x_coco \
        work_dirs/faster-rcnn_... --out table8.md --plot table8.png

A run is a work dir of tools/train.py or tools/test.py: the config dumped
there names the model, and the newest COCO bbox metrics logged there are
its result. Configs given without a run are listed "not trained here".
Runs of one config (e.g. seeds of tools/demo.py --compare --seeds 3) make
one row of mean +- std (sample std over the runs); a train_time.json that
tools/demo.py writes in a run gives the train time, train and inference
images/s and the device.
"""
import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Dict, List, Optional

import torch

import ghost_det  # noqa: F401
from ghost_det.analysis import COUNTING_NOTE, count_complexity
from ghost_det.table8 import (
    COCO_METRICS,
    PAPER_TABLE8,
    backbone_label,
    framework_label,
    paper_entry,
)

COCO_MINIVAL = ('instances_val2017.json', 'instances_minival2014.json')


def latest_metrics(work_dir: Path) -> Optional[Dict[str, float]]:
    """Newest record with COCO bbox metrics in the run's json logs."""
    best, best_time = None, -1.0
    for log in work_dir.rglob('*.json'):
        for line in log.read_text().splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and 'coco/bbox_mAP' in record:
                if log.stat().st_mtime >= best_time:
                    best, best_time = record, log.stat().st_mtime
    if best is None:
        return None
    return {m: float(best[f'coco/{m}']) for m in COCO_METRICS}


# per run, in the table's column order
SPEEDS = ('train_images_per_s', 'inference_images_per_s', 'train_min')


def run_times(work_dir: Path) -> Dict:
    """Train minutes, train and inference images/s and the device of a
    tools/demo.py run (None where not recorded)."""
    path = work_dir / 'train_time.json'
    times = json.loads(path.read_text()) if path.is_file() else {}
    return dict(train_min=times['train_s'] / 60 if times else None,
                train_images_per_s=times.get('train_images_per_s'),
                inference_images_per_s=times.get('inference_images_per_s'),
                device=times.get('device'))


def run_config(work_dir: Path) -> Path:
    dumped = sorted(work_dir.glob('*.py'))
    if not dumped:
        raise SystemExit(f'error: no config dumped in {work_dir}; is it a '
                         'work dir of tools/train.py or tools/test.py?')
    return dumped[0]


def describe(config: Path, metrics: Optional[Dict[str, float]]) -> Dict:
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    from mmengine.config import Config
    register_all_modules(init_default_scope=True)
    cfg = Config.fromfile(str(config))
    backbone = MODELS.build(cfg.model.backbone)
    flops, params, _ = count_complexity(
        backbone, (torch.zeros(1, 3, 224, 224), ))
    ann_file = Path(cfg.get('test_evaluator', cfg.val_evaluator)['ann_file'])
    row = dict(config=str(config), backbone=backbone_label(cfg.model.backbone),
               framework=framework_label(cfg.model), data=ann_file.name,
               mflops=flops / 1e6, params=params / 1e6, metrics=metrics)
    # the paper's mAP only sits beside an evaluation on COCO minival
    on_coco = ann_file.name in COCO_MINIVAL
    row['paper'] = paper_entry(row['backbone'], row['framework'])
    row['paper_map'] = row['paper'][1] if row['paper'] and on_coco else '-'
    return row


def merge_seeds(rows: List[Dict]) -> List[Dict]:
    """One row per config, with the metrics and train times of its runs."""
    merged: Dict[tuple, Dict] = {}
    for row in rows:
        key = (row['backbone'], row['framework'], row['data'],
               Path(row['config']).name)
        if key not in merged:
            merged[key] = dict(row, runs=[], devices=set(),
                               **{s: [] for s in SPEEDS})
        if row.get('device'):
            merged[key]['devices'].add(row['device'])
        if row['metrics']:
            merged[key]['runs'].append(row['metrics'])
        for speed in SPEEDS:
            if row.get(speed) is not None:
                merged[key][speed].append(row[speed])
    return list(merged.values())


def mean_std(values: List[float], scale: float = 1.0) -> str:
    if any(v < 0 for v in values):  # COCO's -1: no objects of that size
        return '-'
    if len(values) == 1:
        return f'{scale * values[0]:.1f}'
    return (f'{scale * statistics.mean(values):.1f} ± '
            f'{scale * statistics.stdev(values):.1f}')


def order(row: Dict) -> tuple:
    keys = list(PAPER_TABLE8)
    key = (row['backbone'], row['framework'])
    return (keys.index(key) if key in keys else len(keys), row['config'])


def markdown(rows: List[Dict]) -> str:
    out = ['| backbone | framework | evaluated on | backbone MFLOPs (paper) '
           '| params (M) | mAP (paper) | mAP | AP50 | AP75 | APs | APm | APl '
           '| train img/s | inference img/s | train time (min) | runs |',
           '|---' * 16 + '|']
    for r in rows:
        p_flops = r['paper'][0] if r['paper'] else '-'
        ours = (' | '.join(mean_std([run[m] for run in r['runs']], 100)
                           for m in COCO_METRICS)
                if r['runs'] else 'not trained here' + ' | -' * 5)
        speeds = ' | '.join(mean_std(r[s]) if r.get(s) else '-'
                            for s in SPEEDS)
        out.append(f"| {r['backbone']} | {r['framework']} | {r['data']} | "
                   f"{r['mflops']:.0f} ({p_flops}) | {r['params']:.2f} | "
                   f"{r['paper_map']} | {ours} | {speeds} | "
                   f"{len(r['runs'])} |")
    devices = sorted(set().union(*(r.get('devices', ()) for r in rows)))
    out.append('\nmAP and APs in %; with several runs of a config, mean ± sample '
               'std. Backbone FLOPs and params at 224x224 of the layers that feed '
               'the detector (no classifier head; a last conv no output uses is '
               "not counted); the paper's figures are its ImageNet models'. "
               + COUNTING_NOTE + '. Train images/s: images of all epochs over '
               'the train time (evaluations during training included); '
               'inference images/s: test-time forward with post-processing, '
               'data loading excluded'
               + (f"; measured on {', '.join(devices)}" if devices else '')
               + '.')
    return '\n'.join(out)


def plot(rows: List[Dict], out: Path) -> None:
    """mAP against backbone FLOPs: COCO runs beside the paper's points;
    runs on other data alone (the paper's COCO figures do not apply)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4.5))
    colours = {'RetinaNet': 'tab:blue', 'Faster R-CNN': 'tab:orange'}
    measured = [r for r in rows if r['runs']]
    on_coco = [r for r in measured if r['paper_map'] != '-']
    shown = on_coco or measured
    if on_coco or not measured:
        for (backbone, framework), (mflops, m_ap) in PAPER_TABLE8.items():
            ax.scatter(mflops, m_ap, facecolors='none',
                       edgecolors=colours[framework], s=60)
            ax.annotate(backbone.split()[0], (mflops, m_ap), fontsize=7,
                        xytext=(4, 4), textcoords='offset points')
        for framework, colour in colours.items():
            ax.scatter([], [], facecolors='none', edgecolors=colour,
                       label=f'{framework} (paper)')
        ax.set_title('GhostNet paper Table 8')
    else:
        ax.set_title(f"measured on {measured[0]['data']}")
    for r in shown:
        maps = [100 * run['bbox_mAP'] for run in r['runs']]
        std = statistics.stdev(maps) if len(maps) > 1 else 0.0
        colour = colours.get(r['framework'], 'k')
        ax.errorbar(r['mflops'], statistics.mean(maps), yerr=std, fmt='o',
                    color=colour, capsize=3)
        ax.annotate(r['backbone'], (r['mflops'], statistics.mean(maps)),
                    fontsize=7, xytext=(4, -10), textcoords='offset points')
    for framework in sorted({r['framework'] for r in shown}):
        ax.scatter([], [], color=colours.get(framework, 'k'),
                   label=f'{framework} (ours)')
    ax.set_xlabel('backbone MFLOPs (224x224)')
    ax.set_ylabel('bbox mAP (%)')
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=120)


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
    rows = []
    for work_dir in args.runs:
        if not work_dir.is_dir():
            parser.error(f'{work_dir} is not a directory')
        metrics = latest_metrics(work_dir)
        if metrics is None:
            print(f'warning: no COCO bbox metrics logged in {work_dir}',
                  file=sys.stderr)
        row = describe(run_config(work_dir), metrics)
        row.update(run_times(work_dir))
        rows.append(row)
    for config in args.configs:
        if not config.is_file():
            parser.error(f'config {config} not found')
        rows.append(describe(config, None))
    rows = merge_seeds(rows)
    rows.sort(key=order)
    table = markdown(rows)
    print(table)
    if args.out:
        args.out.write_text(table + '\n')
    if args.plot:
        plot(rows, args.plot)
        print(f'plot saved to {args.plot}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
