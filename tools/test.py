"""Evaluate a trained detector (mmdet's command-line conventions).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out RESULTS.pkl]
        [--deploy] [--backend pytorch|onnxruntime|openvino] [--layout L]
    bash tools/dist_test.sh CONFIG CHECKPOINT GPUS [...]
"""
import argparse
import os
import os.path as osp

from mmengine.config import DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

import ghost_det  # noqa: F401  (registers modules, safe checkpoint loading)
from ghost_det.utils.distributed import (
    close_process_group,
    use_cpu_processes_without_gpus,
)
from ghost_det.utils.mmpretrain_compat import read_config

# ghost_det.deploy.engine_detector.BACKENDS (not imported unless used)
BACKENDS = ('pytorch', 'onnxruntime', 'openvino')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test (evaluate) a detector')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='where evaluation logs go')
    parser.add_argument('--out', help='dump predictions to a pickle file')
    parser.add_argument('--show-dir', help='save drawn predictions here '
                        '(inside the work dir)')
    parser.add_argument('--deploy', action='store_true',
                        help='test the deployed model (exact, faster): '
                        'BatchNorm folded, GhostNet relaid for the backend')
    parser.add_argument('--backend', choices=BACKENDS, default=None,
                        help='run the test in this engine (implies '
                        '--deploy; onnxruntime/openvino export the detector '
                        'end to end, with post-processing, into the work '
                        'dir)')
    parser.add_argument('--layout', help='GhostNet deploy layout: fold, '
                        'pad<N>, pad<N>-split (default: the fastest '
                        'measured for the backend)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main() -> None:
    args = parse_args()
    for path, what in ((args.config, 'config'),
                       (args.checkpoint, 'checkpoint')):
        if not osp.isfile(path):
            raise SystemExit(f'error: {what} file {path} not found')
    cfg = read_config(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    use_cpu_processes_without_gpus(cfg)
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    if args.show_dir:
        vis = cfg.default_hooks.visualization
        vis.draw, vis.test_out_dir = True, args.show_dir
    if args.deploy or args.backend:  # the deploy code loads only here
        from ghost_det.deploy.engine_detector import test_input_size
        cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [dict(
            type='DeployHook', backend=args.backend or 'pytorch',
            layout=args.layout, input_size=test_input_size(cfg))]
    runner = (Runner.from_cfg(cfg) if 'runner_type' not in cfg
              else RUNNERS.build(cfg))
    if args.out:
        from mmengine.evaluator import DumpResults
        runner.test_evaluator.metrics.append(
            DumpResults(out_file_path=args.out))
    runner.test()
    close_process_group()


if __name__ == '__main__':
    main()
