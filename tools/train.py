"""Train a detector (mmdet's command-line conventions).

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--deterministic [--seed N]]
    bash tools/dist_train.sh CONFIG GPUS [...]

A run that crashed or was killed continues from its last checkpoint with
``--resume`` (no path: the newest readable one in the work dir; a damaged
checkpoint is named in the log and kept). Checkpoints are written
atomically: complete under their name, or absent (SafeCheckpointHook).
``--deterministic`` (or ``randomness=dict(deterministic=True)`` in the
config) makes two runs on one machine end with the same weights: see
ghost_det/utils/reproducibility.py.
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

import ghost_det  # noqa: F401  (registers modules, safe checkpoint loading)
from ghost_det.engine.hooks import use_safe_checkpoint_hook
from ghost_det.engine.runner import ResumeError
from ghost_det.utils.distributed import (
    close_process_group,
    use_cpu_processes_without_gpus,
)
from ghost_det.utils.mmpretrain_compat import read_config
from ghost_det.utils.reproducibility import (
    describe,
    pin_threads_and_cublas,
    relax_cuda_checks,
    request_determinism,
    wants_determinism,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a detector')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='where logs and checkpoints go')
    parser.add_argument('--amp', action='store_true',
                        help='automatic mixed precision training')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by the actual batch size')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from this checkpoint, or without a path from the '
        'latest checkpoint in the work dir')
    parser.add_argument(
        '--deterministic', action='store_true',
        help='reproducible run: fixed seed, deterministic algorithms, one '
        'intra-op CPU thread (slower on CPU)')
    parser.add_argument('--seed', type=int,
                        help='random seed (default: the config\'s, or 0 '
                        'with --deterministic)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def build_config(args: argparse.Namespace) -> Config:
    if not osp.isfile(args.config):
        raise SystemExit(f'error: config file {args.config} not found')
    cfg = read_config(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    use_cpu_processes_without_gpus(cfg)
    if args.work_dir:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join(
            'work_dirs', osp.splitext(osp.basename(args.config))[0])
    if args.deterministic:
        request_determinism(cfg, args.seed)
    elif args.seed is not None:
        cfg.randomness = dict(cfg.get('randomness') or {}, seed=args.seed)
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'
    if args.auto_scale_lr:
        cfg.auto_scale_lr = dict(cfg.get('auto_scale_lr', {}), enable=True)
    # atomic checkpoints and a checked resume for every config
    use_safe_checkpoint_hook(cfg)
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume:
        cfg.resume, cfg.load_from = True, args.resume
    return cfg


def main() -> None:
    cfg = build_config(parse_args())
    deterministic = wants_determinism(cfg)
    if deterministic:
        pin_threads_and_cublas()
    runner = (Runner.from_cfg(cfg) if 'runner_type' not in cfg
              else RUNNERS.build(cfg))
    if deterministic:
        relax_cuda_checks()
        runner.logger.info(describe())
    try:
        runner.train()
    except ResumeError as err:
        runner.logger.error(str(err))
        raise SystemExit(f'error: {err}') from None
    close_process_group()


if __name__ == '__main__':
    main()
