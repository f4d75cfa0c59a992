"""An mmdet detector run by ONNX Runtime or OpenVINO, usable wherever
mmengine runs a model's ``test_step`` (``tools/test.py --backend``)."""
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
from mmdet.structures import DetDataSample
from mmdet.structures.bbox import scale_boxes
from mmengine.structures import InstanceData

BACKENDS = ('pytorch', 'onnxruntime', 'openvino')


def engine_session(path: str, backend: str, threads: int = 0,
                   shape: Optional[Sequence[int]] = None):
    """A session with ``run(None, feeds)`` for ``backend``: ONNX Runtime,
    or OpenVINO (float32; static when ``shape`` is given)."""
    if backend == 'onnxruntime':
        from .onnx_export import ort_session
        return ort_session(path, threads)
    if backend == 'openvino':
        from .openvino_runtime import openvino_model
        return openvino_model(path, threads, shape)
    raise ValueError(f'unknown backend {backend!r}; choose onnxruntime or '
                     f'openvino')


class EngineDetector(nn.Module):
    """``detector``'s preprocessing in PyTorch, the exported end-to-end graph
    (:class:`~ghost_det.deploy.end_to_end.EndToEnd`) in ``session``, then
    the rescale to the original image, and for Faster R-CNN the RoI head in
    PyTorch. Images run one at a time (the graph has batch 1)."""

    def __init__(self, detector: nn.Module, session) -> None:
        super().__init__()
        self.detector = detector
        self.session = session
        self.two_stage = getattr(detector, 'with_rpn', False)

    @classmethod
    def exported(cls, detector: nn.Module, path: str, backend: str,
                 input_size: Sequence[int],
                 threads: int = 0) -> 'EngineDetector':
        """Export ``detector`` end to end to ``path`` at ``input_size`` (H, W;
        padded up to multiples of 32) and run the graph by ``backend``."""
        from .onnx_export import export_end_to_end
        export_end_to_end(detector, path,
                          [-(-s // 32) * 32 for s in input_size])
        return cls(detector, engine_session(path, backend, threads))

    def predict_one(self, image: torch.Tensor,
                    sample: DetDataSample) -> InstanceData:
        h, w = sample.img_shape
        outs = [torch.from_numpy(o) for o in self.session.run(None, {
            'input': image[None].contiguous().numpy(),
            'img_shape': torch.tensor([h, w], dtype=torch.float).numpy()})]
        scale = [1 / s for s in sample.scale_factor]
        if self.two_stage:
            proposals = InstanceData(
                bboxes=outs[0], scores=outs[1],
                labels=torch.zeros(len(outs[1]), dtype=torch.long))
            return self.detector.roi_head.predict(
                tuple(outs[2:]), [proposals], [sample], rescale=True)[0]
        return InstanceData(bboxes=scale_boxes(outs[0], scale),
                            scores=outs[1], labels=outs[2])

    @torch.no_grad()
    def test_step(self, data: dict) -> List[DetDataSample]:
        data = self.detector.data_preprocessor(data, False)
        samples = data['data_samples']
        results = [self.predict_one(image, sample)
                   for image, sample in zip(data['inputs'], samples)]
        return self.detector.add_pred_to_datasample(samples, results)

    # what mmengine's test loop and hooks call besides test_step
    def val_step(self, data: dict) -> List[DetDataSample]:
        return self.test_step(data)


def test_input_size(cfg) -> tuple:
    """(H, W) the test pipeline resizes images to (its ``Resize`` scale,
    given as (long, short) side or (W, H) as mmdet does); (800, 1333) when
    the pipeline has no fixed scale."""
    pipeline = cfg.get('test_dataloader', {}).get('dataset', {}).get(
        'pipeline', [])
    for step in pipeline:
        if step.get('type') == 'Resize' and step.get('scale'):
            w, h = step['scale']
            return (min(w, h), max(w, h)) if step.get('keep_ratio') else (
                h, w)
    return (800, 1333)
