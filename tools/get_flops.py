"""Parameters and FLOPs (multiply-adds of conv and FC layers, as in the
GhostNet paper), counted with mmengine's FlopAnalyzer.

    python tools/get_flops.py                           # cost table vs paper
    python tools/get_flops.py --widen-factor 1.1        # one backbone, 224x224
    python tools/get_flops.py --widen-factor 1.0 --with-head
    python tools/get_flops.py configs/ghostnet/retinanet_ghostnet-1.1x_fpn_1x_coco.py \
        --shape 800 1333
"""
import argparse
import sys

import torch

import ghost_det  # noqa: F401  (registers GhostNet, safe checkpoint loading)
from ghost_det.analysis import (
    COUNTING_NOTE,
    count_complexity,
    detector_complexity,
)
from ghost_det.models import GhostNet

# The paper's figures: params M (Table 7; none given for the 1.1x detection
# backbone), MFLOPs (Table 7; Table 8 for 1.1x).
PAPER = {
    ('GhostNet 0.5x', 0.5, True): (2.6, 42),
    ('GhostNet 1.0x', 1.0, True): (5.2, 141),
    ('GhostNet 1.3x', 1.3, True): (7.3, 226),
    ('GhostNet 1.1x detection backbone', 1.1, False): (None, 164),
}


def build_ghostnet(widen_factor: float, with_head: bool) -> torch.nn.Module:
    if not with_head:
        return GhostNet(widen_factor=widen_factor, out_indices=(9, ))
    from ghost_det.models.classifier import build_ghostnet_classifier
    return build_ghostnet_classifier(widen_factor)


def ghostnet_cost(widen_factor: float, with_head: bool, h: int = 224,
                  w: int = 224, model=None, paper_ops: bool = True):
    """(multiply-adds, parameters) of a GhostNet, built unless given."""
    model = model or build_ghostnet(widen_factor, with_head)
    flops, params, _ = count_complexity(
        model, (torch.zeros(1, 3, h, w), ), paper_ops=paper_ops)
    return flops, params


def print_cost_table() -> None:
    print('| model | params (M) | paper | MFLOPs | paper | ratio '
          '| MFLOPs, all ops |')
    print('|---|---|---|---|---|---|---|')
    for (name, widen, head), (p_params, p_flops) in PAPER.items():
        model = build_ghostnet(widen, head)
        flops, params = ghostnet_cost(widen, head, model=model)
        all_ops, _ = ghostnet_cost(widen, head, model=model, paper_ops=False)
        print(f'| {name} | {params / 1e6:.2f} | {p_params or "-"} | '
              f'{flops / 1e6:.1f} | {p_flops} | {flops / 1e6 / p_flops:.3f} '
              f'| {all_ops / 1e6:.1f} |')
    print(f'\n224x224 input, batch 1. {COUNTING_NOTE}. "All ops" is '
          "mmengine's default count (BatchNorm, pooling, ... too), not "
          'comparable with the paper. Classifiers include the 1280 head and '
          'the 1000-way FC; the detection backbone is blocks.0-blocks.9 '
          'without them.')


def print_config_cost(config: str, height: int, width: int) -> None:
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    from mmengine.config import Config
    register_all_modules(init_default_scope=True)
    cfg = Config.fromfile(config)
    detector = MODELS.build(cfg.model)
    backbone = MODELS.build(cfg.model.backbone)
    b_flops, b_params, _ = count_complexity(
        backbone, (torch.zeros(1, 3, 224, 224), ))
    r = detector_complexity(detector, height, width)
    print(f'config: {config}')
    print(f'backbone {cfg.model.backbone.type} at 224x224 (as the detector '
          'runs it): '
          f'{b_flops / 1e6:.1f} MFLOPs, {b_params / 1e6:.2f} M params')
    print(f'detector at {height}x{width} (padded to {r["input_h"]}x'
          f'{r["input_w"]}): {r["flops"] / 1e9:.2f} GFLOPs, '
          f'{r["params"] / 1e6:.2f} M params')
    for part in ('backbone', 'neck', 'rpn_head', 'roi_head', 'bbox_head'):
        if f'{part}_flops' in r:
            print(f'  {part:9s} {r[f"{part}_flops"] / 1e9:8.2f} GFLOPs '
                  f'{r[f"{part}_params"] / 1e6:7.2f} M params')
    print(COUNTING_NOTE)


def main() -> int:
    parser = argparse.ArgumentParser(
        description='GhostNet / detector parameters and FLOPs',
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument('config', nargs='?', help='mmdet config file')
    parser.add_argument('--widen-factor', type=float,
                        help='count one GhostNet backbone of this width')
    parser.add_argument('--with-head', action='store_true',
                        help='include the 1280 head and ImageNet classifier')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help='input size (default 224 224 for a backbone, '
                        '800 1333 for a detector)')
    args = parser.parse_args()
    if args.config and args.widen_factor is not None:
        parser.error('give a config or --widen-factor, not both')
    if args.config:
        print_config_cost(args.config, *(args.shape or (800, 1333)))
    elif args.widen_factor is not None:
        h, w = args.shape or (224, 224)
        flops, params = ghostnet_cost(args.widen_factor, args.with_head, h, w)
        head = 'with' if args.with_head else 'without'
        print(f'GhostNet {args.widen_factor:g}x {head} classification head, '
              f'{h}x{w}: {flops / 1e6:.1f} MFLOPs, {params / 1e6:.2f} M '
              f'params\n{COUNTING_NOTE}')
    else:
        print_cost_table()
    return 0


if __name__ == '__main__':
    sys.exit(main())
