"""The demo: train detectors on the synthetic data, from scratch or, as the
paper does, from a pretrained backbone (stage 1: classification on
synthetic crops; or ImageNet weights), evaluate COCO-style mAP
(pycocotools), lay the runs out as Table 8 and draw predictions.
``tools/demo.py`` is its command line.

A killed run picks up where it stopped when started again: finished
models are read back, the interrupted one resumes from its last checkpoint.
"""
import copy
import json
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from ..analysis.table8 import COCO_METRICS, coco_config, table8_rows
from ..analysis.table8 import markdown as table8_markdown
from ..analysis.visualization import plot_table8, save_prediction_grid
from ..datasets import DETECTION_SCALE, SyntheticCocoConfig
from ..datasets.synthetic_cls import SyntheticClsConfig
from ..engine.hooks import InferenceTimerHook
from ..utils.env import device_name
from ..utils.markdown import markdown_table
from ..utils.reproducibility import relax_cuda_checks, request_determinism
from .ablations import ABLATIONS

# the checkout's configs/ (or a built package's copy), as run['config'] names
MIM = Path(__file__).parents[1] / '.mim'


class NoBoxesError(RuntimeError):
    """A trained model predicted no box, so it has no mAP."""


RESULTS_HEADER = ['detector', 'backbone', 'init', 'seed', 'epochs',
                  'train time', 'train img/s', 'inference img/s', 'mAP',
                  'AP50', 'AP75', 'APs', 'APm', 'APl']
BACKBONES = ('ghostnet-1.1x', 'mobilenetv2-1.0x', 'mobilenetv3-large-1.0x')
# the Ghost family, also in the CPU demo (configs/demo/*_demo.py)
FAMILY = ('repghostnet-1.11x', 'ghostnetv2-1.0x', 'ghostnetv3-1.0x')
DETECTORS = ('retinanet', 'faster-rcnn')
# how a run's backbone starts -> its label in the tables
INITS = {'scratch': 'scratch', 'synthetic': 'synthetic-cls', 'imagenet':
         'ImageNet'}
# stage 1 of the pretrained demo: classification on synthetic crops
PRETRAIN = dict(config='configs/demo/pretrain/{backbone}_synthetic-cls.py',
                data=SyntheticClsConfig(), data_root=Path('data/synthetic_cls'))
PRETRAINED_CONFIG = 'configs/demo/{detector}_{backbone}_fpn_demo-pretrained.py'
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
         scale: str = 'demo', backbones: Optional[Sequence[str]] = None,
         inits: Sequence[str] = ('scratch', )) -> List[Dict]:
    """The runs: each detector with ``backbones`` (default: GhostNet-1.1x,
    with ``compare`` the three Table 8 backbones), each backbone started as
    each of ``inits`` (:data:`INITS`), seed by seed."""
    runs = []
    backbones = list(backbones or (BACKBONES if compare else BACKBONES[:1]))
    for detector in detectors:
        runs += [dict(detector=detector, backbone=b, seed=seed, init=init,
                      config=(SCALES[scale]['config'] if init == 'scratch'
                              else PRETRAINED_CONFIG).format(
                                  detector=detector, backbone=b))
                 for seed in range(seeds) for init in inits for b in backbones]
    # seed by seed: an interrupted --seeds run already holds whole comparisons
    return sorted(runs, key=lambda r: r['seed'])


def run_dir(work_dir: Path, run: Dict) -> Path:
    init = run.get('init', 'scratch')
    return work_dir / (f"{run['detector']}_{run['backbone']}" + (
        '' if init == 'scratch' else f'_{init}')) / f"seed{run['seed']}"


def resumable_runner(cfg, out: Path):
    """A Runner for ``cfg`` writing into ``out`` that continues a killed run
    there (a no-op on a fresh one); and whether it resumes."""
    from mmengine.runner import Runner
    cfg.work_dir = str(out)
    # mmengine keeps one visualizer per name in a process: without a name of
    # its own, every later run would log into the first run's work dir
    cfg.visualizer.name = f'visualizer_{out}'
    cfg.resume = True
    return Runner.from_cfg(cfg), (out / 'last_checkpoint').is_file()


def pretrain(backbone: str, work_dir: Path, data_root: Path,
             options: Dict) -> Dict:
    """Stage 1: train ``backbone``'s classifier on the synthetic crops in
    ``data_root`` into ``work_dir/pretrain/<backbone>``,
    resuming an interrupted run; a finished one is read back. Returns its
    top-1/top-5 (%), train time and checkpoint."""
    from ..utils.mmpretrain_compat import read_config
    out = work_dir / 'pretrain' / backbone
    result_file = out / 'result.json'
    if result_file.is_file():
        return json.loads(result_file.read_text())
    cfg = read_config(str(MIM / PRETRAIN['config'].format(backbone=backbone)))
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.data_root = str(data_root)
    if options:
        cfg.merge_from_dict(copy.deepcopy(options))  # merging pops _delete_
    runner, resumed = resumable_runner(cfg, out)
    start = time.time()
    runner.train()
    train_s = time.time() - start
    metrics = runner.val_loop.run()
    result = dict(backbone=backbone, epochs=cfg.train_cfg.max_epochs,
                  top1=metrics['accuracy/top1'],
                  top5=metrics.get('accuracy/top5'), train_s=train_s,
                  device=device_name(), resumed=resumed,
                  checkpoint=(out / 'last_checkpoint').read_text().strip())
    result_file.write_text(json.dumps(result, indent=2))
    return result


def backbone_init(run: Dict, checkpoint: Optional[str] = None) -> Optional[
        Dict]:
    """The backbone's ``init_cfg`` for ``run``: None from scratch, the
    stage-1 ``checkpoint``, or the COCO config's ImageNet one."""
    from ..utils.mmpretrain_compat import read_config
    if run['init'] == 'synthetic':
        return dict(type='Pretrained', checkpoint=checkpoint,
                    prefix='backbone.')
    if run['init'] == 'imagenet':
        return read_config(coco_config(
            run['detector'], run['backbone'])).model.backbone.init_cfg
    return None


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
    from ..utils.mmpretrain_compat import read_config
    out = run_dir(work_dir, run)
    result_file = out / 'result.json'
    if result_file.is_file():
        return json.loads(result_file.read_text())
    cfg = read_config(str(MIM / run['config']))
    point_to_data(cfg, data_root)
    if run.get('init', 'scratch') != 'scratch':
        cfg.model.backbone.init_cfg = backbone_init(run, run.get('checkpoint'))
    if run.get('ablation'):
        ABLATIONS[run['ablation']].apply(cfg)
    if options:
        cfg.merge_from_dict(copy.deepcopy(options))  # merging pops _delete_
    cfg.randomness = dict(seed=run['seed'])
    if deterministic:
        request_determinism(cfg, run['seed'])
    runner, resumed = resumable_runner(cfg, out)
    if deterministic:
        relax_cuda_checks()
    start = time.time()
    runner.train()
    train_s = time.time() - start
    # a resumed run's time covers only what ran after the resume
    train_images = None if resumed else (
        cfg.train_cfg.max_epochs * len(runner.train_dataloader.dataset))
    timer = InferenceTimerHook()
    runner.register_hook(timer)
    metrics = runner.test()
    speed = dict(
        init=INITS[run.get('init', 'scratch')],
        train_s=train_s, resumed=resumed, device=device_name(),
        train_images_per_s=train_images / train_s if train_images else None,
        inference_images_per_s=timer.images_per_s,
        inference_batch_size=cfg.test_dataloader.batch_size)
    # the Table 8 layout reads the train time and speeds from here
    (out / 'train_time.json').write_text(json.dumps(speed))
    if f'coco/{COCO_METRICS[0]}' not in metrics:
        raise NoBoxesError(
            f'{out}: the model predicted no box above the test '
            'score threshold, so there is no mAP (see the log above). Train '
            'longer, or lower the threshold with --cfg-options '
            'model.test_cfg.score_thr=0.0 (Faster R-CNN: '
            'model.test_cfg.rcnn.score_thr=0.0).')
    result = dict(run, epochs=cfg.train_cfg.max_epochs, work_dir=str(out),
                  **speed,
                  **{m: metrics[f'coco/{m}'] for m in COCO_METRICS})
    if run['seed'] == 0:
        picture = work_dir / f"predictions_{out.parent.name}.png"
        save_prediction_grid(runner, picture)
        result['picture'] = str(picture)
    result_file.write_text(json.dumps(result, indent=2))
    return result


def results_table(rows: List[Dict]) -> str:
    """One line per run: train time and speeds, COCO metrics (0-1)."""
    table = []
    for r in rows:
        train_speed = r.get('train_images_per_s')
        table.append([
            r['detector'], r['backbone'], r.get('init', 'scratch'), r['seed'],
            r['epochs'],
            f"{r['train_s'] / 60:.1f} min" + (' (resumed)' if r['resumed']
                                              else ''),
            f'{train_speed:.1f}' if train_speed else '-',
            f"{r['inference_images_per_s']:.1f}"
            if 'inference_images_per_s' in r else '-',
            *(f'{r[m]:.3f}' for m in COCO_METRICS)])
    devices = sorted({r['device'] for r in rows if 'device' in r})
    return markdown_table(RESULTS_HEADER, table) + (
        f"\n\ndevice: {', '.join(devices) or 'not recorded'}; "
        'inference: test-time forward with post-processing at the '
        "config's test batch size, data loading excluded")


def table8(rows: List[Dict], work_dir: Path) -> str:
    """The Table 8 layout of the runs (mean ± std over seeds), saved with
    its plot in ``work_dir``."""
    merged = table8_rows([Path(r['work_dir']) for r in rows], [])
    table = table8_markdown(merged)
    (work_dir / 'table8.md').write_text(table + '\n')
    plot_table8(merged, work_dir / 'table8.png')
    return table


def write_results(rows: List[Dict], work_dir: Path) -> str:
    """Save the runs as ``results.json`` and ``results.md`` in
    ``work_dir``; returns the table."""
    table = results_table(rows)
    (work_dir / 'results.json').write_text(json.dumps(rows, indent=2))
    (work_dir / 'results.md').write_text(table + '\n')
    return table


def write_pretrain_results(results: List[Dict], work_dir: Path) -> str:
    """Stage 1's accuracy per backbone, saved as ``pretrain.md``."""
    table = markdown_table(
        ['backbone', 'epochs', 'top-1 (%)', 'top-5 (%)', 'train time'],
        [[r['backbone'], r['epochs'], f"{r['top1']:.1f}",
          f"{r['top5']:.1f}", f"{r['train_s'] / 60:.1f} min"
          + (' (resumed)' if r['resumed'] else '')] for r in results])
    table += f"\n\ndevice: {', '.join(sorted({r['device'] for r in results}))}"
    (work_dir / 'pretrain.md').write_text(table + '\n')
    return table
