"""Parameters and FLOPs (multiply-adds of conv and FC layers, as in the
GhostNet paper), counted with mmengine's FlopAnalyzer.

    python tools/analysis_tools/get_flops.py                     # cost table vs paper
    python tools/analysis_tools/get_flops.py --widen-factor 1.1  # one backbone, 224x224
    python tools/analysis_tools/get_flops.py --widen-factor 1.0 --with-head
    python tools/analysis_tools/get_flops.py --backbone RepGhostNet --widen-factor 1.11
    python tools/analysis_tools/get_flops.py \
        configs/ghostnet/retinanet_ghostnet-1.1x_fpn_1x_coco.py --shape 800 1333
"""
import argparse
import os.path as osp
import sys

import ghost_det  # noqa: F401  (registers GhostNet, safe checkpoint loading)
from ghost_det.analysis.complexity import (
    COUNTING_NOTE,
    FAMILIES,
    config_cost,
    cost_table,
    ghostnet_cost,
)


def main() -> int:
    parser = argparse.ArgumentParser(
        description='GhostNet / detector parameters and FLOPs',
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument('config', nargs='?', help='mmdet config file')
    parser.add_argument('--widen-factor', type=float,
                        help='count one GhostNet backbone of this width')
    parser.add_argument('--backbone', choices=FAMILIES, default='GhostNet',
                        help='which Ghost-family network --widen-factor '
                        'counts (RepGhostNet and GhostNetV3 re-parameterised)')
    parser.add_argument('--with-head', action='store_true',
                        help='include the 1280 head and ImageNet classifier')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help='input size (default 224 224 for a backbone, '
                        '800 1333 for a detector)')
    args = parser.parse_args()
    if args.config and args.widen_factor is not None:
        parser.error('give a config or --widen-factor, not both')
    if args.config:
        if not osp.isfile(args.config):
            parser.error(f'config file {args.config} not found')
        print(config_cost(args.config, *(args.shape or (800, 1333))))
    elif args.widen_factor is not None:
        h, w = args.shape or (224, 224)
        flops, params = ghostnet_cost(args.widen_factor, args.with_head, h, w,
                                      family=args.backbone)
        head = 'with' if args.with_head else 'without'
        print(f'{args.backbone} {args.widen_factor:g}x {head} classification head, '
              f'{h}x{w}: {flops / 1e6:.1f} MFLOPs, {params / 1e6:.2f} M '
              f'params\n{COUNTING_NOTE}')
    else:
        print(cost_table())
    return 0


if __name__ == '__main__':
    sys.exit(main())
