"""Export a config's detector (up to its raw dense head outputs) or its
backbone to ONNX, with dynamic batch, height and width.

    python tools/deployment/export.py CONFIG [CHECKPOINT] [--part backbone]
        [--deploy [--pad-to 16]] [--shape 800 1344] [--out model.onnx]

The input is the image after mmdet's data preprocessor (normalised RGB,
padded to a multiple of 32). Without CHECKPOINT the weights are random
(enough to measure speed). --deploy exports the exact deployed model
(BatchNorm folded, GhostNet.switch_to_deploy). The export is checked with
ONNX Runtime against PyTorch at the export shape and at a second one.
"""
import argparse
import os.path as osp
import sys

import numpy as np
import torch

import ghost_det  # noqa: F401  (registers GhostNet, safe loading)
from ghost_det.deploy import deploy_model, export_onnx, exportable, ort_session


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', nargs='?',
                        help='weights to load (default: random)')
    parser.add_argument('--part', choices=['detector', 'backbone'],
                        default='detector')
    parser.add_argument('--deploy', action='store_true',
                        help='export the deployed model (exact)')
    parser.add_argument('--pad-to', type=int, default=16,
                        help='with --deploy: GhostNet channel padding')
    parser.add_argument('--shape', type=int, nargs=2, default=(800, 1344),
                        metavar=('H', 'W'), help='tracing input size')
    parser.add_argument('--out', help='output file (default: '
                        'work_dirs/onnx/<config>_<part>[_deploy].onnx)')
    return parser.parse_args()


def build(config: str, checkpoint, part: str) -> torch.nn.Module:
    """The config's detector (mmdet's ``init_detector``), or its backbone,
    in eval mode."""
    from mmdet.apis import init_detector
    if not osp.isfile(config):
        raise SystemExit(f'error: config file {config} not found')
    if checkpoint and not osp.isfile(checkpoint):
        raise SystemExit(f'error: checkpoint file {checkpoint} not found')
    model = init_detector(config, checkpoint, palette='random', device='cpu')
    return model.backbone if part == 'backbone' else model


def max_relative_error(torch_outs, ort_outs) -> float:
    return max(float(np.abs(o - t.numpy()).max() / max(np.abs(
        t.numpy()).max(), 1e-12)) for t, o in zip(torch_outs, ort_outs))


def main() -> int:
    args = parse_args()
    model = build(args.config, args.checkpoint, args.part)
    if args.deploy:
        deploy_model(model, args.pad_to)
    name = osp.splitext(osp.basename(args.config))[0]
    out = args.out or osp.join(
        'work_dirs', 'onnx',
        f'{name}_{args.part}{"_deploy" if args.deploy else ""}.onnx')
    h, w = args.shape
    names = export_onnx(model, out, (1, 3, h, w))
    print(f'wrote {out}: input (N, 3, H, W) -> {", ".join(names)}')
    session = ort_session(out)
    module = exportable(model)
    for shape in ((1, 3, h, w), (2, 3, h // 2 + 32, w // 2)):
        x = torch.randn(*shape)
        with torch.no_grad():
            expected = module(x)
        got = session.run(None, {'input': x.numpy()})
        err = max_relative_error(expected, got)
        print(f'ONNX Runtime vs PyTorch at {tuple(shape)}: max relative '
              f'difference {err:.1e}')
        if err > 1e-4:
            print('error: the export does not match PyTorch', file=sys.stderr)
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
