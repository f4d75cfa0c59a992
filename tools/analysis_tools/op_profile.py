"""Where the time goes: milliseconds per run by operator type for detector
configs' backbones, from each engine's own profiler (ONNX Runtime's trace,
OpenVINO's per-layer counters, torch's profiler); by default Table 8's
three backbones.

    python tools/analysis_tools/op_profile.py [--configs A.py B.py ...]
        [--modes onnxruntime openvino_static channels_last]
        [--shape 800 1344] [--threads 1] [--layout L] [--trace-dir DIR]

Each backbone gets the benchmark's rewrites for the mode (BatchNorm
folded; a Ghost-family backbone deployed, GhostNet in --layout, default:
its engine's for the input). Profiled runs are slower than timed ones
(tools/analysis_tools/benchmark.py times them).
"""
import argparse
import os
import sys

import torch

import ghost_det  # noqa: F401  (registers GhostNet)
from ghost_det.analysis.benchmark import MODES
from ghost_det.analysis.op_profile import backbone_profiles, profile_table
from ghost_det.analysis.table8 import TABLE8_CONFIGS


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n\n', 1)[1])
    parser.add_argument('--configs', nargs='+',
                        default=list(TABLE8_CONFIGS[:3]),
                        help='detector configs (default: Table 8\'s '
                        'RetinaNet ones, one per backbone)')
    parser.add_argument('--modes', nargs='+', choices=list(MODES),
                        default=['onnxruntime', 'openvino_static',
                                 'channels_last'])
    parser.add_argument('--shape', nargs=2, type=int, default=[800, 1344],
                        metavar=('H', 'W'))
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--layout', default='default',
                        help='GhostNet deploy layout (fold, pad<N>, '
                        'pad<N>-split; default: the engine\'s fastest)')
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--trace-dir', help='keep ONNX Runtime\'s traces '
                        'here')
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    missing = [c for c in args.configs if not os.path.isfile(c)]
    if missing:
        raise SystemExit(f'error: config file(s) not found: '
                         f'{", ".join(missing)}')
    torch.set_num_threads(args.threads)
    h, w = args.shape
    for mode in args.modes:
        profiles = backbone_profiles(args.configs, mode, (1, 3, h, w),
                                     args.layout, args.runs, args.trace_dir)
        print(profile_table(profiles, (
            f'where the time goes: ms per image by operator, {mode}, input '
            f'{h}x{w}, {args.threads} thread(s)')) + '\n', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
