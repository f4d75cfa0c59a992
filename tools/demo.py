"""The main job: make the synthetic data, train detectors from scratch on the
CPU, evaluate COCO-style mAP, print the table and save pictures of
predictions on validation images.

    python tools/demo.py                      # GhostNet-1.1x RetinaNet
    python tools/demo.py --detectors retinanet faster-rcnn
    python tools/demo.py --compare            # + MobileNetV2 / V3 backbones
    python tools/demo.py --compare --seeds 3  # each model 3 times: mean, std
    python tools/demo.py --compare --detectors faster-rcnn
    python tools/demo.py --compare --pretrain # + pretrained, as the paper
    python tools/demo.py --compare --pretrain imagenet   # ImageNet weights
    python tools/demo.py --compare --ablation fan-in      # one change to all
    python tools/demo.py --backbones ghostnet-1.1x mobilenetv2-1.0x \
        mobilenetv3-large-1.0x repghostnet-1.11x   # + a Ghost-family model
    python tools/demo.py --scale detection    # on a CUDA machine: hours
    python tools/demo.py --deterministic      # bit-reproducible, 1 thread

--compare trains the same detector with GhostNet-1.1x, mmdet's MobileNetV2
1.0x and mmpretrain's MobileNetV3-Large 1.0x (configs/demo/*_demo.py: only
the backbone and the FPN in_channels differ) and lays the results out as
the paper's Table 8 (ghost_det/analysis/table8.py). A killed run picks up where it
stopped when started again: finished models are not trained again, the
interrupted one resumes from its last checkpoint.

--pretrain adds the paper's protocol beside the from-scratch runs: stage 1
trains each backbone's classifier on synthetic crops of 40 shape and texture
classes (configs/demo/pretrain/, data/synthetic_cls/), stage 2 fine-tunes
the detector from it with Table 8's settings (configs/demo/*_demo-pretrained
.py: SGD, warm-up and steps, BatchNorm frozen). --pretrain imagenet starts
stage 2 from the COCO configs' ImageNet weights instead (downloaded).

--ablation NAME makes one change to every model of the from-scratch runs
(ghost_det/apis/ablations.py) and writes them to work_dirs/demo-NAME, to
set beside the unchanged comparison in work_dirs/demo.

--scale detection is the same comparison at detection scale, for a CUDA
machine: all six Table 8 detectors (configs/detection_scale/: the COCO
configs' model, pipeline and SGD 1x schedule, 16 images a batch, from
scratch) on a 20-class synthetic set of 10k images around 1333x800 with
COCO's object sizes (made in data/synthetic_shapes20/ by all CPU cores).
Besides mAP it reports train and inference images/s.
"""
import argparse
import os
import sys
import time
from pathlib import Path

from mmengine.config import DictAction

import ghost_det  # noqa: F401  (registers modules, safe checkpoint loading)
from ghost_det.apis import demo
from ghost_det.apis.ablations import ABLATIONS
from ghost_det.datasets import ensure_synthetic_coco
from ghost_det.datasets.synthetic_cls import ensure_synthetic_cls
from ghost_det.utils.env import device_name
from ghost_det.utils.reproducibility import pin_threads_and_cublas


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0], epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--scale', choices=sorted(demo.SCALES), default='demo',
                        help='demo: the CPU demo (default); detection: the '
                        'six Table 8 detectors at 1333x800 on 10k images, '
                        'for a CUDA machine (implies --compare)')
    parser.add_argument('--detectors', nargs='+', choices=demo.DETECTORS,
                        help='default: retinanet; with --scale detection '
                        'both')
    parser.add_argument('--compare', action='store_true',
                        help='also train the MobileNetV2/V3 baselines')
    parser.add_argument('--backbones', nargs='+',
                        choices=demo.BACKBONES + demo.FAMILY,
                        help='the backbones to train (default: ghostnet-1.1x; '
                        'with --compare the three Table 8 ones); the Ghost '
                        'family (repghostnet-1.11x, ghostnetv2-1.0x, '
                        'ghostnetv3-1.0x) is in the CPU demo only')
    parser.add_argument('--pretrain', nargs='?', const='synthetic',
                        choices=['synthetic', 'imagenet'],
                        help='also fine-tune from a pretrained backbone: '
                        'stage 1 on synthetic crops (default) or ImageNet')
    parser.add_argument('--pretrain-data-root', type=Path,
                        default=demo.PRETRAIN['data_root'],
                        help='the synthetic crops of stage 1, made there if '
                        'missing (default: %(default)s)')
    parser.add_argument('--pretrain-cfg-options', nargs='+',
                        action=DictAction, default={},
                        help='override settings of stage 1, key=value')
    parser.add_argument('--ablation', choices=list(ABLATIONS),
                        help='one change to every model of the from-scratch '
                        'comparison (default work dir: work_dirs/demo-NAME): '
                        + '; '.join(f'{k}: {v.description}'
                                    for k, v in ABLATIONS.items()))
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
    scale = demo.SCALES[args.scale]
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
    if args.scale == 'detection' and set(args.backbones or ()) & set(
            demo.FAMILY):
        parser.error('--scale detection has the three Table 8 backbones '
                     f'only ({", ".join(demo.BACKBONES)})')
    if args.pretrain and (args.scale == 'detection' or set(
            args.backbones or ()) - set(demo.BACKBONES)):
        parser.error('--pretrain has configs for the CPU demo\'s three '
                     f'Table 8 backbones ({", ".join(demo.BACKBONES)})')
    if args.ablation and (args.scale == 'detection' or args.pretrain):
        parser.error('--ablation changes the CPU demo\'s from-scratch runs: '
                     'leave out --scale detection and --pretrain')
    detectors = args.detectors or scale['detectors']
    work_dir = args.work_dir or (
        scale['work_dir'].with_name(f'demo-{args.ablation}') if args.ablation
        else scale['work_dir'])
    # pretrained runs first: the from-scratch ones are often read back
    runs = demo.plan(detectors, args.compare, args.seeds, args.scale,
                     args.backbones, ([args.pretrain] if args.pretrain
                                      else []) + ['scratch'])
    if args.ablation:
        ablation = ABLATIONS[args.ablation]
        runs = [dict(r, ablation=args.ablation) for r in runs
                if r['backbone'] in (ablation.backbones or [r['backbone']])]
        if not runs:
            parser.error(f'--ablation {args.ablation} changes '
                         f'{", ".join(ablation.backbones)} only: add it with '
                         '--backbones or --compare')
    start = time.time()
    # the default dataset is (re)made as needed; another root is used as it
    # is when it holds a dataset
    data_root = args.data_root or scale['data_root']
    if args.data_root is None or not (
            data_root / 'annotations/instances_train.json').is_file():
        ensure_synthetic_coco(data_root, scale['data'],
                              workers=os.cpu_count() or 1)
    if args.pretrain == 'synthetic' and (
            args.pretrain_data_root == demo.PRETRAIN['data_root']
            or not (args.pretrain_data_root / 'train').is_dir()):
        ensure_synthetic_cls(args.pretrain_data_root, demo.PRETRAIN['data'])
    if args.deterministic:
        pin_threads_and_cublas()
    print(f'[demo] device: {device_name()}', flush=True)
    if args.ablation:
        print(f'[demo] ablation {args.ablation}: '
              f'{ABLATIONS[args.ablation].description}', flush=True)
    stage1 = {}
    if args.pretrain == 'synthetic':
        backbones = list(dict.fromkeys(r['backbone'] for r in runs))
        for i, backbone in enumerate(backbones, 1):
            print(f'\n[demo] stage 1, {i}/{len(backbones)}: {backbone} '
                  'classifies synthetic crops', flush=True)
            stage1[backbone] = demo.pretrain(
                backbone, work_dir, args.pretrain_data_root,
                args.pretrain_cfg_options)
        for run in runs:
            run['checkpoint'] = stage1[run['backbone']]['checkpoint']
    rows, fresh_s, fresh = [], 0.0, 0
    for i, run in enumerate(runs, 1):
        eta = (f', about {fresh_s / fresh * (len(runs) - i + 1) / 60:.0f} min '
               'left' if fresh else '')
        print(f"\n[demo] model {i}/{len(runs)}: {run['detector']} with "
              f"{run['backbone']} ({demo.INITS[run['init']]}), seed "
              f"{run['seed']}{eta}", flush=True)
        t0 = time.time()
        try:
            rows.append(demo.train_and_evaluate(
                run, work_dir, data_root, args.cfg_options,
                args.deterministic))
        except demo.NoBoxesError as err:
            raise SystemExit(f'error: {err}')
        if time.time() - t0 > 5:  # trained here, not read back
            fresh_s, fresh = fresh_s + time.time() - t0, fresh + 1
    if stage1:
        print('\nStage 1, synthetic crops val split:')
        print(demo.write_pretrain_results(list(stage1.values()), work_dir))
    table = demo.write_results(rows, work_dir)
    print('\nSynthetic shapes val split, COCO bbox metrics (pycocotools):')
    print(table)
    if args.compare or args.seeds > 1 or len(runs) > len(detectors):
        print('\nTable 8 layout, mAP in %:')
        print(demo.table8(rows, work_dir))
        print(f"table: {work_dir / 'table8.md'}, plot: "
              f"{work_dir / 'table8.png'}")
    for r in rows:
        if 'picture' in r:
            print(f"predictions on val images: {r['picture']}")
    print(f'total demo time {(time.time() - start) / 60:.1f} min')
    return 0


if __name__ == '__main__':
    sys.exit(main())
