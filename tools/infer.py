"""Detect objects in images (mmdet's ``demo/image_demo.py`` command line,
over mmdet's ``DetInferencer``).

    python tools/infer.py INPUTS CONFIG --weights CKPT [--out-dir outputs]
        [--pred-score-thr 0.3] [--device cpu] [--backend onnxruntime|openvino]

INPUTS is an image, a folder or a glob (quoted). Under ``--out-dir``:
``vis/<image>`` with the predictions drawn and ``preds/<image>.json`` with
the boxes (x1, y1, x2, y2 in the image's pixels), scores and labels, as
``DetInferencer`` writes them. ``--backend`` runs the deployed detector,
exported end to end (post-processing included) into ``--out-dir``, in
ONNX Runtime or OpenVINO.
"""
import argparse
import glob
import os.path as osp
import sys

import ghost_det  # noqa: F401  (registers modules, safe checkpoint loading)
from ghost_det.deploy.engine_detector import BACKENDS, test_input_size
from ghost_det.utils.mmpretrain_compat import read_config

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('inputs', help='an image, a folder or a glob')
    parser.add_argument('model', help='config file')
    parser.add_argument('--weights', required=True, help='checkpoint file')
    parser.add_argument('--out-dir', default='outputs',
                        help='where drawn images and predictions go')
    parser.add_argument('--pred-score-thr', type=float, default=0.3,
                        help='draw boxes scoring at least this')
    parser.add_argument('--device', default='cpu', help='cpu or cuda:N')
    parser.add_argument('--batch-size', type=int, default=1)
    parser.add_argument('--backend', choices=BACKENDS, default='pytorch',
                        help='pytorch (default), or run the deployed '
                        'end-to-end detector in onnxruntime or openvino')
    parser.add_argument('--palette', default='random',
                        help='box colours (mmdet: random, coco, voc, ...)')
    return parser.parse_args()


def image_list(inputs: str) -> list:
    """The images an INPUTS argument names, sorted; exits when none."""
    if osp.isdir(inputs):
        found = glob.glob(osp.join(inputs, '*'))
    elif osp.isfile(inputs):
        found = [inputs]
    else:
        found = glob.glob(inputs)
    images = sorted(p for p in found if p.lower().endswith(IMAGE_SUFFIXES))
    if not images:
        sys.exit(f'error: no image in {inputs!r} (an image, a folder or a '
                 f'glob of {", ".join(IMAGE_SUFFIXES)} files)')
    return images


def run_in_engine(inferencer, backend: str, out_dir: str) -> None:
    """Deploy the inferencer's detector, export it end to end and let the
    engine run it (DetInferencer calls ``model.test_step``)."""
    from ghost_det.deploy import deploy_model
    from ghost_det.deploy.engine_detector import EngineDetector
    detector = inferencer.model
    size = tuple(-(-s // 32) * 32 for s in test_input_size(inferencer.cfg))
    deploy_model(detector, backend, None, size)
    path = osp.join(out_dir, 'end2end.onnx')
    engine = EngineDetector.exported(detector, path, backend, size)
    engine.dataset_meta = detector.dataset_meta
    inferencer.model = engine
    print(f'deployed detector exported to {path}, run by {backend}')


def main() -> None:
    args = parse_args()
    for path, what in ((args.model, 'config'), (args.weights, 'checkpoint')):
        if not osp.isfile(path):
            sys.exit(f'error: {what} file {path} not found')
    images = image_list(args.inputs)
    read_config(args.model)  # stops early if it needs what is missing
    from mmdet.apis import DetInferencer
    inferencer = DetInferencer(model=args.model, weights=args.weights,
                               device=args.device, palette=args.palette,
                               show_progress=False)
    if args.backend != 'pytorch':
        run_in_engine(inferencer, args.backend, args.out_dir)
    inferencer(images, batch_size=args.batch_size, out_dir=args.out_dir,
               pred_score_thr=args.pred_score_thr, no_save_pred=False)
    print(f'{len(images)} image{"s" * (len(images) != 1)}: drawn '
          f'predictions in '
          f'{osp.join(args.out_dir, "vis")}, boxes, scores and labels in '
          f'{osp.join(args.out_dir, "preds")}')


if __name__ == '__main__':
    main()
