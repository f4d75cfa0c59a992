"""Export a config's detector or backbone to ONNX (and OpenVINO IR), with
dynamic height and width, and check the export against PyTorch.

    python tools/deployment/export.py CONFIG [CHECKPOINT]
        [--part end2end|dense|backbone] [--backend onnxruntime|openvino]
        [--deploy [--layout L]] [--shape 800 1344] [--out model.onnx] [--seed 0]

Parts: ``end2end`` (default) is the detector from the image tensor to boxes,
scores and labels with mmdet's post-processing and NMS in the graph
(RetinaNet), or to the RPN's proposals and the FPN features (Faster R-CNN,
whose RoI head runs in PyTorch); inputs ``input`` (1, 3, H, W) and
``img_shape`` (h, w before padding). ``dense`` stops after the dense head's
raw outputs (dynamic batch too); ``backbone`` is the backbone alone. The
input is the image after mmdet's data preprocessor (normalised RGB, padded
to a multiple of 32). Without CHECKPOINT the weights are random (enough to
measure speed). --deploy exports the exact deployed model (BatchNorm folded,
GhostNet relaid with the layout measured fastest for --backend). With
--backend openvino the ONNX file is also saved as OpenVINO IR (.xml/.bin).
The export is run by the backend and compared with PyTorch at the export
shape and at a second one, on random inputs (--seed).
"""
import argparse
import os.path as osp
import sys
from typing import Tuple

import numpy as np
import torch

import ghost_det  # noqa: F401  (registers GhostNet, safe loading)
from ghost_det.deploy import deploy_model, export_onnx, exportable
from ghost_det.deploy.end_to_end import EndToEnd
from ghost_det.deploy.engine_detector import engine_session
from ghost_det.deploy.onnx_export import export_end_to_end


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', nargs='?',
                        help='weights to load (default: random)')
    parser.add_argument('--part', choices=['end2end', 'dense', 'backbone'],
                        default='end2end')
    parser.add_argument('--backend', choices=['onnxruntime', 'openvino'],
                        default='onnxruntime')
    parser.add_argument('--deploy', action='store_true',
                        help='export the deployed model (exact)')
    parser.add_argument('--layout', help='with --deploy: GhostNet layout '
                        '(fold, pad<N>, pad<N>-split; default: the '
                        'fastest measured for --backend)')
    parser.add_argument('--shape', type=int, nargs=2, default=(800, 1344),
                        metavar=('H', 'W'), help='tracing input size')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the random weights (no CHECKPOINT) '
                        'and of the inputs the check runs')
    parser.add_argument('--out', help='output file (default: '
                        'work_dirs/onnx/<config>_<part>[_deploy].onnx)')
    return parser.parse_args()


def build(config: str, checkpoint) -> torch.nn.Module:
    """The config's detector (mmdet's ``init_detector``), in eval mode."""
    from mmdet.apis import init_detector
    if not osp.isfile(config):
        raise SystemExit(f'error: config file {config} not found')
    if checkpoint and not osp.isfile(checkpoint):
        raise SystemExit(f'error: checkpoint file {checkpoint} not found')
    return init_detector(config, checkpoint, palette='random', device='cpu')


def detections_differ(expected, got, rtol: float = 1e-4) -> int:
    """How many detections, of either side, have no equal on the other: the
    same label (where there are labels), and box and score within ``rtol``
    of the largest. Engines round differently, so a box whose IoU sits on
    the NMS threshold may be kept by one and suppressed by the other; order
    among equal scores is not compared."""
    (eb, es, *el), (gb, gs, *gl) = expected, got
    if not len(eb) or not len(gb):
        return len(eb) + len(gb)
    box_tol = rtol * max(np.abs(eb).max(), 1e-12)
    score_tol = rtol * max(np.abs(es).max(), 1e-12)
    equal = ((np.abs(eb[:, None] - gb[None]).max(-1) <= box_tol)
             & (np.abs(es[:, None] - gs[None]) <= score_tol))
    if el:
        equal &= el[0][:, None] == gl[0][None]
    return int((~equal.any(1)).sum() + (~equal.any(0)).sum())


def max_relative_error(expected, got) -> float:
    if [e.shape for e in expected] != [o.shape for o in got]:
        return float('inf')
    return max((float(np.abs(o - e).max() / max(np.abs(e).max(), 1e-12))
                for e, o in zip(expected, got) if e.size), default=0.)


def check(expected, got, end2end: bool) -> Tuple[str, bool]:
    """The comparison's line and whether the export passes: tensors within
    1e-4 (relative to their largest value); end to end, at most 1% of the
    detections without an equal (see :func:`detections_differ`)."""
    expected = [np.asarray(o) for o in expected]
    got = [np.asarray(o) for o in got]
    # end to end: RetinaNet (boxes, scores, labels); Faster R-CNN
    # (proposals, scores, FPN features...)
    n_det = (3 if len(expected) == 3 else 2) if end2end else 0
    lines, passed = [], True
    if len(expected) > n_det:
        err = max_relative_error(expected[n_det:], got[n_det:])
        lines.append(f'max relative difference {err:.1e}')
        passed = err <= 1e-4
    if n_det:
        differ = detections_differ(expected[:n_det], got[:n_det])
        total = len(expected[0]) + len(got[0])
        lines.append(f'{differ} of {total} detections without an equal '
                     f'(NMS decisions at the IoU threshold may flip)')
        passed = passed and differ <= 0.01 * total
    return '; '.join(lines), passed


def main() -> int:
    args = parse_args()
    torch.manual_seed(args.seed)  # random weights and the check's inputs
    model = build(args.config, args.checkpoint)
    h, w = args.shape
    if args.part == 'backbone':
        model = model.backbone
    if args.deploy:
        deploy_model(model, args.backend, args.layout, (h, w))
    name = osp.splitext(osp.basename(args.config))[0]
    out = args.out or osp.join(
        'work_dirs', 'onnx',
        f'{name}_{args.part}{"_deploy" if args.deploy else ""}.onnx')
    if args.part == 'end2end':
        names = export_end_to_end(model, out, (h, w))
        module = EndToEnd(model)
    else:
        names = export_onnx(model, out, (1, 3, h, w))
        module = exportable(model)
    print(f'wrote {out}: -> {", ".join(names)}')
    if args.backend == 'openvino':
        from ghost_det.deploy.openvino_runtime import save_ir
        xml = osp.splitext(out)[0] + '.xml'
        save_ir(out, xml)
        print(f'wrote {xml} (OpenVINO IR)')
    session = engine_session(out, args.backend)
    batch = 1 if args.part == 'end2end' else 2
    for shape in ((1, 3, h, w), (batch, 3, h // 2 + 32, w // 2)):
        x = torch.randn(*shape)
        feeds = {'input': x.numpy()}
        inputs = (x, )
        if args.part == 'end2end':
            size = torch.tensor(shape[2:], dtype=torch.float)
            feeds['img_shape'], inputs = size.numpy(), (x, size)
        with torch.no_grad():
            expected = [t.numpy() for t in module(*inputs)]
        line, passed = check(expected, session.run(None, feeds),
                             args.part == 'end2end')
        print(f'{args.backend} vs PyTorch at {tuple(shape)}: {line}')
        if not passed:
            print('error: the export does not match PyTorch', file=sys.stderr)
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
