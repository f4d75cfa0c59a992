"""ONNX export of a backbone, or of a detector up to its raw head outputs.

The graph takes the image tensor after mmdet's data preprocessor (RGB,
normalised, padded to a multiple of 32) with dynamic batch, height and
width. For a detector it returns the dense head's outputs per FPN level
(RetinaNet: class scores and box deltas; Faster R-CNN: the RPN's);
anchor decoding, NMS and the RoI head stay in PyTorch/mmdet.
"""
import os
import warnings
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn

OPSET = 17


class DenseHeadOutputs(nn.Module):
    """A detector cut after its dense head: ``(cls_0..cls_L, box_0..box_L)``
    for single-stage detectors, the RPN's for two-stage ones."""

    def __init__(self, detector: nn.Module) -> None:
        super().__init__()
        self.detector = detector
        self.head = (detector.rpn_head if getattr(detector, 'with_rpn', False)
                     else detector.bbox_head)

    def forward(self, inputs: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        cls_scores, bbox_preds = self.head(self.detector.extract_feat(inputs))
        return tuple(cls_scores) + tuple(bbox_preds)


def is_detector(model: nn.Module) -> bool:
    return hasattr(model, 'extract_feat')


def exportable(model: nn.Module) -> nn.Module:
    """The module to trace: a backbone as is, a detector cut after its
    dense head."""
    return DenseHeadOutputs(model) if is_detector(model) else model


def output_names(model: nn.Module, num_outputs: int) -> List[str]:
    if is_detector(model):
        levels = num_outputs // 2
        return ([f'cls_score_{i}' for i in range(levels)]
                + [f'bbox_pred_{i}' for i in range(levels)])
    return [f'feat_{i}' for i in range(num_outputs)]


def export_onnx(model: nn.Module, path: str,
                shape: Sequence[int] = (1, 3, 800, 1344)) -> List[str]:
    """Trace ``model`` (eval mode, CPU) at ``shape`` and write ``path`` with
    dynamic batch, height and width. Returns the output names."""
    model.eval()  # (mmpretrain's MobileNetV3.train returns None)
    module = exportable(model)
    example = torch.randn(*shape)
    with torch.no_grad():
        num_outputs = len(module(example))
    names = output_names(model, num_outputs)
    dynamic = {'input': {0: 'batch', 2: 'height', 3: 'width'}}
    dynamic.update({n: {0: 'batch', 2: f'h_{n}', 3: f'w_{n}'}
                    for n in names})
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with warnings.catch_warnings():
        # shape checks in forward() are constants in the graph, as meant
        warnings.simplefilter('ignore', torch.jit.TracerWarning)
        torch.onnx.export(
            module, (example, ), path, dynamo=False, opset_version=OPSET,
            input_names=['input'], output_names=names,
            dynamic_axes=dynamic)
    return names


def ort_session(path: str, threads: int = 0,
                profile_prefix: Optional[str] = None):
    """An ONNX Runtime CPU session; ``threads`` 0 lets ORT choose; with
    ``profile_prefix`` ORT's profiler writes its trace there
    (``session.end_profiling()`` returns the file)."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    if profile_prefix:
        options.enable_profiling = True
        options.profile_file_prefix = profile_prefix
    return ort.InferenceSession(path, options,
                                providers=['CPUExecutionProvider'])


def export_end_to_end(detector: nn.Module, path: str,
                      shape: Sequence[int] = (800, 1344)) -> List[str]:
    """Trace ``detector`` from image to detections (RetinaNet) or to
    proposals and FPN features (Faster R-CNN), see
    :class:`~ghost_det.deploy.end_to_end.EndToEnd`, at batch 1 and
    ``shape`` (H, W); the graph is dynamic in height and width. Inputs:
    ``input`` (1, 3, H, W) and ``img_shape`` (2,) float, the image's (h, w)
    before padding. Returns the output names."""
    from .end_to_end import EndToEnd
    detector.eval()
    module = EndToEnd(detector)
    names = module.output_names()
    h, w = shape
    example = (torch.randn(1, 3, h, w), torch.tensor([h, w], dtype=torch.float))
    dynamic = {'input': {2: 'height', 3: 'width'}}
    dynamic.update({n: {0: f'n_{n}'} for n in names
                    if not n.startswith('feat_')})
    dynamic.update({n: {2: f'h_{n}', 3: f'w_{n}'} for n in names
                    if n.startswith('feat_')})
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', torch.jit.TracerWarning)
        warnings.simplefilter('ignore', UserWarning)
        torch.onnx.export(
            module, example, path, dynamo=False, opset_version=OPSET,
            input_names=['input', 'img_shape'], output_names=names,
            dynamic_axes=dynamic)
    return names
