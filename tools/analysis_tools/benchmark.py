"""Speed and memory: GhostNet-1.1x (and 1.0x) and the Ghost family
(RepGhostNet-1.11x, GhostNetV2-1.0x, GhostNetV3-1.0x) against mmdet's
MobileNetV2 1.0x and mmpretrain's MobileNetV3-Large 1.0x, in one process and
one run.

    python tools/analysis_tools/benchmark.py [--threads 1 all]
        [--device cpu|cuda] [--parts backbone throughput detector train]
        [--modes ...] [--quick] [--sweep] [--profile]
    python tools/analysis_tools/benchmark.py --report RUN.json

Parts: backbone latency at batch 1 (224x224 and 800x1344), backbone
throughput at a larger batch (224x224), whole-detector inference per image
at 800x1333 with post-processing (RetinaNet and Faster R-CNN of the Table 8
configs), and the detectors' training step (forward, backward, SGD) at
batch 2. Modes, each applied to all backbones alike: eager, fold (BatchNorm
folded), channels_last (folded too), compile (folded, torch.compile with
inductor freezing; CUDA graphs on GPU), onnxruntime, openvino (dynamic
shapes) and openvino_static (compiled for the input's shape); detectors run
end to end in the engines (post-processing in the graph). GhostNet's own
exact rewrite (ghost_det.deploy, the layout GhostNet.switch_to_deploy picks
for the mode's engine and input) is the variant "GhostNet-1.1x deploy"; the
other Ghost-family models' deploy variants are their switch_to_deploy()
(re-parameterised: RepGhostNet, GhostNetV3; BatchNorm folded: GhostNetV2).
Every model has random weights, and the
MobileNets do not run the last conv that no output uses. Writes JSON, a
plot (and with --profile ONNX Runtime's traces) under --out-dir; prints the
ratio table, the table by engine and the Ghost family's table by engine
last.
"""
import argparse
import os
import sys

import torch

import ghost_det  # noqa: F401  (registers GhostNet)
from ghost_det.analysis.benchmark import (
    BACKBONES,
    BASELINES,
    EXPORTED,
    MAIN,
    MODES,
)
from ghost_det.analysis.benchmark_report import (
    PARTS,
    markdown_report,
    run_benchmark,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='GhostNet vs MobileNetV2/V3 speed and memory',
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n\n', 1)[1])
    parser.add_argument('--device', choices=['cpu', 'cuda'],
                        default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--threads', nargs='+', default=['1', 'all'],
                        help='CPU thread counts to run, "all" = every core')
    parser.add_argument('--parts', nargs='+', default=list(PARTS),
                        choices=list(PARTS))
    parser.add_argument('--modes', nargs='+', default=list(MODES),
                        choices=list(MODES))
    parser.add_argument('--backbones', nargs='+', default=list(BACKBONES),
                        choices=list(BACKBONES))
    parser.add_argument('--layout', default=None,
                        help='GhostNet deploy layout (fold, pad<N>, '
                        'pad<N>-split; default: the engine\'s fastest)')
    parser.add_argument('--batch', type=int, default=None,
                        help='throughput batch (default 16 CPU, 64 CUDA)')
    parser.add_argument('--sweep', action='store_true',
                        help='also GhostNet-1.1x deploy in every layout '
                        '(fold, pad8, pad16, pad1-split, pad16-split)')
    parser.add_argument('--profile', action='store_true',
                        help='also print where the time goes, per operator '
                        'type, for GhostNet-1.1x deploy and the baselines '
                        '(backbone, batch 1, onnxruntime, openvino_static '
                        'and channels_last)')
    parser.add_argument('--quick', action='store_true',
                        help='small inputs, 2 repeats: checks the tool runs')
    parser.add_argument('--report', metavar='JSON',
                        help='print the Markdown tables of a saved run and '
                        'exit')
    parser.add_argument('--out-dir', default='work_dirs/benchmark')
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.report:
        print(markdown_report(args.report))
        return 0
    if args.device == 'cuda' and not torch.cuda.is_available():
        raise SystemExit('error: --device cuda but torch sees no GPU')
    if MAIN not in args.backbones or not set(BASELINES) <= set(
            args.backbones):
        raise SystemExit(f'error: --backbones must include {MAIN} and '
                         f'{", ".join(BASELINES)} (the ratio table)')
    modes = args.modes
    if args.device == 'cuda' and set(EXPORTED) & set(modes):
        print('note: ONNX Runtime and OpenVINO run on the CPU (CPU builds '
              'are installed); left out of the CUDA run')
        modes = [m for m in modes if m not in EXPORTED]
    cores = os.cpu_count() or 1
    threads = sorted({cores if t == 'all' else int(t) for t in args.threads})
    run_benchmark(args.device, threads, args.parts, modes, args.backbones,
                  args.layout, args.out_dir, quick=args.quick,
                  batch=args.batch, sweep=args.sweep, profile=args.profile,
                  log=lambda text: print(text, flush=True))
    return 0


if __name__ == '__main__':
    sys.exit(main())
