"""The GhostNet paper's Table 8 (COCO minival) and our runs in its layout.

A run is a work dir of tools/train.py or tools/test.py: the config dumped
there names the model, and the newest COCO bbox metrics logged there are
its result. Configs given without a run are listed "not trained here".
Runs of one config (e.g. seeds of tools/demo.py --compare --seeds 3) make
one row of mean +- std (sample std over the runs); a train_time.json that
the demo writes in a run gives the train time, train and inference
images/s and the device.
"""
import json
import statistics
import warnings
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import torch

from ..models.utils.weights import width_name
from ..utils.markdown import markdown_table
from .complexity import COUNTING_NOTE, count_complexity

# (backbone, framework) -> (backbone MFLOPs at 224x224, mAP), from the paper.
PAPER_TABLE8: Dict[Tuple[str, str], Tuple[int, float]] = {
    ('MobileNetV2 1.0x', 'RetinaNet'): (300, 26.7),
    ('MobileNetV3 1.0x', 'RetinaNet'): (219, 26.4),
    ('GhostNet 1.1x', 'RetinaNet'): (164, 26.6),
    ('MobileNetV2 1.0x', 'Faster R-CNN'): (300, 27.5),
    ('MobileNetV3 1.0x', 'Faster R-CNN'): (219, 26.9),
    ('GhostNet 1.1x', 'Faster R-CNN'): (164, 26.9),
}
# the checkout's configs/ (or a built package's copy)
CONFIGS = Path(__file__).parents[1] / '.mim' / 'configs'


def coco_config(detector: str, backbone: str) -> str:
    """The COCO config of a Table 8 row: ``detector`` ``retinanet`` or
    ``faster-rcnn``, ``backbone`` as the config names it (``ghostnet-1.1x``,
    ``mobilenetv3-large-1.0x``, ``mobilenetv2-1.0x``)."""
    folder = 'ghostnet' if backbone.startswith('ghostnet-') else 'baselines'
    return str(CONFIGS / folder / f'{detector}_{backbone}_fpn_1x_coco.py')


# Table 8's six COCO configs, RetinaNet's first
TABLE8_CONFIGS = tuple(
    coco_config(det, name) for det in ('retinanet', 'faster-rcnn')
    for name in ('ghostnet-1.1x', 'mobilenetv3-large-1.0x',
                 'mobilenetv2-1.0x'))
# The COCO bbox metrics of mmdet's CocoMetric, in Table 8's column order.
COCO_METRICS = ('bbox_mAP', 'bbox_mAP_50', 'bbox_mAP_75', 'bbox_mAP_s',
                'bbox_mAP_m', 'bbox_mAP_l')
FRAMEWORKS = {'RetinaNet': 'RetinaNet', 'FasterRCNN': 'Faster R-CNN'}


def backbone_label(backbone_cfg: dict) -> str:
    """'GhostNet 1.1x', 'MobileNetV2 1.0x', 'MobileNetV3 1.0x', ..."""
    kind = backbone_cfg['type'].split('.')[-1]
    if kind == 'MobileNetV3':
        arch = backbone_cfg.get('arch', 'small')
        suffix = '' if arch == 'large' else f'-{arch}'
        return f'MobileNetV3{suffix} 1.0x'
    widen = backbone_cfg.get('widen_factor', 1.0)
    return f'{kind} {width_name(widen)}'


def framework_label(model_cfg: dict) -> str:
    return FRAMEWORKS.get(model_cfg['type'], model_cfg['type'])


def init_label(backbone_cfg: dict) -> str:
    """How the backbone starts: 'scratch', 'ImageNet' (a checkpoint at an
    address, as the COCO configs load) or 'checkpoint' (a local file)."""
    init = backbone_cfg.get('init_cfg') or {}
    inits = init if isinstance(init, list) else [init]
    pretrained = [i for i in inits if i.get('type') == 'Pretrained']
    if not pretrained:
        return 'scratch'
    return 'ImageNet' if '://' in str(pretrained[0].get('checkpoint')) else (
        'checkpoint')


def paper_entry(backbone: str,
                framework: str) -> Optional[Tuple[int, float]]:
    return PAPER_TABLE8.get((backbone, framework))


HEADER = ('backbone', 'framework', 'backbone init', 'evaluated on',
          'backbone MFLOPs (paper)',
          'params (M)', 'mAP (paper)', 'mAP', 'AP50', 'AP75', 'APs', 'APm',
          'APl', 'train img/s', 'inference img/s', 'train time (min)', 'runs')
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
    """Train minutes, train and inference images/s, the device and the
    backbone's start of a tools/demo.py run (absent where not recorded)."""
    path = work_dir / 'train_time.json'
    times = json.loads(path.read_text()) if path.is_file() else {}
    out = dict(train_min=times['train_s'] / 60 if times else None,
               train_images_per_s=times.get('train_images_per_s'),
               inference_images_per_s=times.get('inference_images_per_s'),
               device=times.get('device'))
    if times.get('init'):
        out['init'] = times['init']
    return out


def run_config(work_dir: Path) -> Path:
    dumped = sorted(work_dir.glob('*.py'))
    if not dumped:
        raise ValueError(f'no config dumped in {work_dir}; is it a work '
                         'dir of tools/train.py or tools/test.py?')
    return dumped[0]


def describe(config: Path, metrics: Optional[Dict[str, float]]) -> Dict:
    """A row of the table for ``config``: labels, backbone cost, the
    paper's figures and ``metrics`` (None: not trained here)."""
    from mmdet.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    cfg = Config.fromfile(str(config))
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    backbone = MODELS.build(cfg.model.backbone)
    flops, params, _ = count_complexity(
        backbone, (torch.zeros(1, 3, 224, 224), ))
    ann_file = Path(cfg.get('test_evaluator', cfg.val_evaluator)['ann_file'])
    row = dict(config=str(config), backbone=backbone_label(cfg.model.backbone),
               framework=framework_label(cfg.model),
               init=init_label(cfg.model.backbone), data=ann_file.name,
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
        key = (row['backbone'], row['framework'], row['init'], row['data'],
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
    return (keys.index(key) if key in keys else len(keys),
            row['init'] != 'scratch', row['config'])


def markdown(rows: List[Dict]) -> str:
    """The Table 8 layout of merged rows, with the note on what is
    counted and measured."""
    table = []
    for r in rows:
        p_flops = r['paper'][0] if r['paper'] else '-'
        ours = ([mean_std([run[m] for run in r['runs']], 100)
                 for m in COCO_METRICS] if r['runs']
                else ['not trained here'] + ['-'] * 5)
        speeds = [mean_std(r[s]) if r.get(s) else '-' for s in SPEEDS]
        table.append([r['backbone'], r['framework'], r['init'], r['data'],
                      f"{r['mflops']:.0f} ({p_flops})", f"{r['params']:.2f}",
                      r['paper_map'], *ours, *speeds, len(r['runs'])])
    devices = sorted(set().union(*(r.get('devices', ()) for r in rows)))
    return markdown_table(HEADER, table) + (
        '\n\nmAP and APs in %; with several runs of a config, mean ± sample '
        'std. Backbone FLOPs and params at 224x224 of the layers that feed '
        'the detector (no classifier head; a last conv no output uses is '
        "not counted); the paper's figures are its ImageNet models'. "
        + COUNTING_NOTE + '. Train images/s: images of all epochs over '
        'the train time (evaluations during training included); '
        'inference images/s: test-time forward with post-processing, '
        'data loading excluded'
        + (f"; measured on {', '.join(devices)}" if devices else '')
        + '.')


def table8_rows(runs: Sequence[Path], configs: Sequence[Path]) -> List[Dict]:
    """Rows for evaluated work dirs (``runs``; several runs of one config
    merge into one row) and for ``configs`` listed without a run, in the
    paper's order."""
    rows = []
    for work_dir in runs:
        metrics = latest_metrics(work_dir)
        if metrics is None:
            warnings.warn(f'no COCO bbox metrics logged in {work_dir}')
        row = describe(run_config(work_dir), metrics)
        row.update(run_times(work_dir))
        rows.append(row)
    rows += [describe(config, None) for config in configs]
    rows = merge_seeds(rows)
    rows.sort(key=order)
    return rows
