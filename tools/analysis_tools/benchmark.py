"""Speed and memory of detector configs' backbones and detectors, in one
process; by default Table 8's (GhostNet-1.1x, MobileNetV3-Large 1.0x and
MobileNetV2 1.0x in RetinaNet and Faster R-CNN).

    python tools/analysis_tools/benchmark.py [--configs A.py B.py ...]
        [--threads 1 all] [--device cpu|cuda] [--modes ...]
        [--parts backbone detector] [--batch N] [--reference NAME]
        [--layouts L ...] [--quick]
    python tools/analysis_tools/benchmark.py --report RUN.json

Parts: the backbones at 224x224 and 800x1344 (batch 1, or --batch), and
whole-detector inference at 800x1333 with pre- and post-processing. Modes,
each given to every model alike: eager, fold (BatchNorm folded),
channels_last (folded too), onnxruntime, openvino (dynamic shapes) and
openvino_static (compiled for the input's shape, backbones only); detectors
run end to end in the engines (post-processing in the graph). A
Ghost-family backbone's deployed form (its switch_to_deploy(), and
GhostNet's channel layout for the engine) is the variant "<model> deploy";
--layouts adds GhostNet in other layouts ("<model> deploy <layout>").
Models have random weights; layers no output uses are not run. Models are
named after their configs (retinanet_ghostnet-1.1x_fpn_1x_coco.py:
ghostnet-1.1x). Prints each group's table as it is measured and the table
by engine, with ratios to --reference (default: the MobileNetV3), last;
writes JSON and a plot under --out-dir. Per-operator times:
tools/analysis_tools/op_profile.py.
"""
import argparse
import os
import sys

import torch

import ghost_det  # noqa: F401  (registers GhostNet)
from ghost_det.analysis.benchmark import (
    EXPORTED,
    MODES,
    PARTS,
    markdown_report,
    run_benchmark,
)
from ghost_det.analysis.table8 import TABLE8_CONFIGS


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n\n', 1)[1])
    parser.add_argument('--configs', nargs='+',
                        default=list(TABLE8_CONFIGS),
                        help='detector configs (default: Table 8\'s six)')
    parser.add_argument('--reference', help='model the ratios compare with '
                        '(default: the MobileNetV3)')
    parser.add_argument('--device', choices=['cpu', 'cuda'],
                        default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--threads', nargs='+', default=['1', 'all'],
                        help='CPU thread counts to run, "all" = every core')
    parser.add_argument('--parts', nargs='+', default=list(PARTS),
                        choices=list(PARTS))
    parser.add_argument('--modes', nargs='+', default=list(MODES),
                        choices=list(MODES))
    parser.add_argument('--layouts', nargs='+', default=[], metavar='L',
                        help='also GhostNet deployed in these layouts (fold, '
                        'pad<N>, pad<N>-split, pad<N>-split<a>-<b>)')
    parser.add_argument('--batch', type=int, default=1,
                        help='backbone batch (times are per image)')
    parser.add_argument('--quick', action='store_true',
                        help='small inputs, 2 repeats: checks the tool runs')
    parser.add_argument('--report', metavar='JSON',
                        help='print the tables of a saved run and exit')
    parser.add_argument('--out-dir', default='work_dirs/benchmark')
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.report:
        print(markdown_report(args.report, args.reference))
        return 0
    if args.device == 'cuda' and not torch.cuda.is_available():
        raise SystemExit('error: --device cuda but torch sees no GPU')
    missing = [c for c in args.configs if not os.path.isfile(c)]
    if missing:
        raise SystemExit(f'error: config file(s) not found: '
                         f'{", ".join(missing)}')
    from ghost_det.deploy.ghostnet import GhostLayout
    for layout in args.layouts:
        try:
            GhostLayout.parse(layout)
        except ValueError as e:
            raise SystemExit(f'error: --layouts: {e}')
    modes = args.modes
    if args.device == 'cuda' and set(EXPORTED) & set(modes):
        print('note: ONNX Runtime and OpenVINO run on the CPU (CPU builds '
              'are installed); left out of the CUDA run')
        modes = [m for m in modes if m not in EXPORTED]
    cores = os.cpu_count() or 1
    threads = sorted({cores if t == 'all' else int(t) for t in args.threads})
    run_benchmark(args.device, threads, args.parts, modes, args.configs,
                  args.out_dir, args.layouts, quick=args.quick,
                  batch=args.batch, reference=args.reference,
                  log=lambda text: print(text, flush=True))
    return 0


if __name__ == '__main__':
    sys.exit(main())
