"""Detectors as one graph, from the image tensor to boxes, with mmdet's
post-processing in traceable ops.

:class:`EndToEnd` wraps an mmdet RetinaNet (any single-stage anchor head
with sigmoid scores) or Faster R-CNN. Its inputs are the image after mmdet's
data preprocessor, batch 1, any height and width, and the image's size
before padding (``img_shape``, what boxes are clipped to). It follows
mmdet's ``predict_by_feat`` step by step: per level the top ``nms_pre``
(anchor, class) scores above ``score_thr``, box decoding
(``DeltaXYWHBBoxCoder``), boxes of zero width or height dropped, mmcv's
class-aware ``batched_nms`` (the offset trick, then ONNX's standard
``NonMaxSuppression`` through torchvision), the first ``max_per_img``.

* RetinaNet: the graph returns ``boxes (K, 4)``, ``scores (K,)``,
  ``labels (K,)`` in input-image coordinates (divide by the resize scale for
  the original image, as mmdet's ``rescale`` does).
* Faster R-CNN: the graph returns the RPN's proposals and scores and the FPN
  features; the RoI head (multi-level RoIAlign, box head, per-class NMS)
  runs in PyTorch (:class:`~ghost_det.deploy.engine_detector.EngineDetector`).
"""
import math
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
from torchvision.ops import nms


class DynamicTopK(torch.autograd.Function):
    """``torch.topk`` whose ``k`` is a tensor, exported as ONNX ``TopK``
    with a runtime ``k`` (a Python int would be frozen into the graph)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, k: torch.Tensor):
        return torch.topk(x, int(k), sorted=True)

    @staticmethod
    def symbolic(g, x, k):
        k = g.op('Reshape', g.op('Cast', k, to_i=7),  # int64
                 g.op('Constant', value_t=torch.tensor([1])))
        return g.op('TopK', x, k, axis_i=0, largest_i=1, sorted_i=1,
                    outputs=2)


def top_candidates(scores: torch.Tensor, score_thr: Optional[float],
                   nms_pre: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """mmdet's ``filter_scores_and_topk`` on ``scores (n, C)``: the (score,
    flat index) of the largest ``min(nms_pre, #scores > score_thr)``, by
    decreasing score (``score_thr`` None: no threshold, as in the RPN)."""
    flat = scores.reshape(-1)
    above = (flat > score_thr) if score_thr is not None else (
        torch.ones_like(flat, dtype=torch.bool))
    # OpenVINO's TopK needs k >= 1: take one more, then drop what is below
    k = torch.clamp(above.sum(), min=1, max=nms_pre)
    top, index = DynamicTopK.apply(flat, k)
    if score_thr is not None:
        kept = (top > score_thr).nonzero()[:, 0]
        top, index = top[kept], index[kept]
    return top, index


def batched_nms(boxes: torch.Tensor, scores: torch.Tensor,
                idxs: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """mmcv's ``batched_nms`` below its ``split_thr``: one NMS over boxes
    offset per class so that classes never overlap. Indices of kept boxes,
    by decreasing score."""
    # (mmcv: boxes.max(); the 0 keeps it defined when no box is left, and
    # changes nothing else: clipped boxes are >= 0)
    max_coordinate = torch.cat([boxes.reshape(-1), boxes.new_zeros(1)]).max()
    offsets = idxs.to(boxes) * (max_coordinate + 1)
    return nms(boxes + offsets[:, None], scores, iou_threshold)


def decode_deltas(coder, priors: torch.Tensor, deltas: torch.Tensor,
                  img_shape: torch.Tensor) -> torch.Tensor:
    """mmdet's ``delta2bbox`` (what ``DeltaXYWHBBoxCoder.decode`` runs for
    one image) with out-of-place clipping to a runtime ``img_shape`` (h, w);
    mmdet's own ONNX branch of ``decode`` imports a module mmdet 3 no longer
    has."""
    if coder.add_ctr_clamp:
        raise ValueError('DeltaXYWHBBoxCoder(add_ctr_clamp=True) is not '
                         'supported by the end-to-end export')
    means = deltas.new_tensor(coder.means)
    stds = deltas.new_tensor(coder.stds)
    deltas = deltas * stds + means
    centre = (priors[:, :2] + priors[:, 2:]) * 0.5
    size = priors[:, 2:] - priors[:, :2]
    max_ratio = abs(math.log(16 / 1000))  # decode()'s wh_ratio_clip
    centre = centre + size * deltas[:, :2]
    size = size * deltas[:, 2:].clamp(min=-max_ratio, max=max_ratio).exp()
    boxes = torch.cat([centre - size * 0.5, centre + size * 0.5], dim=-1)
    if coder.clip_border:
        limit = img_shape.flip(0).repeat(2).to(boxes)  # (w, h, w, h)
        boxes = torch.minimum(boxes.clamp(min=0), limit)
    return boxes


class EndToEnd(nn.Module):
    """``detector`` (eval mode) from image to detections or proposals."""

    def __init__(self, detector: nn.Module) -> None:
        super().__init__()
        self.detector = detector
        self.two_stage = getattr(detector, 'with_rpn', False)
        if self.two_stage:
            self.head = detector.rpn_head
            self.cfg = detector.test_cfg.rpn
        else:
            self.head = detector.bbox_head
            self.cfg = detector.test_cfg
        if not getattr(self.head, 'use_sigmoid_cls', False):
            raise ValueError(f'{type(self.head).__name__}: only sigmoid '
                             f'class scores are supported')

    def output_names(self) -> List[str]:
        if self.two_stage:
            return ['proposals', 'proposal_scores'] + [
                f'feat_{i}' for i in range(self.detector.neck.num_outs)]
        return ['boxes', 'scores', 'labels']

    def forward(self, image: torch.Tensor,
                img_shape: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        feats = self.detector.extract_feat(image)
        cls_scores, bbox_preds = self.head(feats)
        sizes = [c.shape[-2:] for c in cls_scores]
        priors = self.head.prior_generator.grid_priors(
            sizes, dtype=image.dtype, device=image.device)
        classes = self.head.cls_out_channels
        score_thr = self.cfg.get('score_thr')
        boxes, scores, labels, levels = [], [], [], []
        for level, (cls, box, prior) in enumerate(zip(cls_scores, bbox_preds,
                                                      priors)):
            level_scores = cls[0].permute(1, 2, 0).reshape(-1, classes)
            top, index = top_candidates(level_scores.sigmoid(), score_thr,
                                        self.cfg.nms_pre)
            anchor = torch.div(index, classes, rounding_mode='floor')
            deltas = box[0].permute(1, 2, 0).reshape(-1, 4)
            boxes.append(decode_deltas(self.head.bbox_coder, prior[anchor],
                                       deltas[anchor], img_shape))
            scores.append(top)
            labels.append(index - anchor * classes)
            levels.append(torch.full_like(index, level))
        boxes, scores = torch.cat(boxes), torch.cat(scores)
        labels, levels = torch.cat(labels), torch.cat(levels)
        if self.cfg.get('min_bbox_size', -1) >= 0:
            size = self.cfg.min_bbox_size
            wide = ((boxes[:, 2] - boxes[:, 0] > size)
                    & (boxes[:, 3] - boxes[:, 1] > size)).nonzero()[:, 0]
            boxes, scores = boxes[wide], scores[wide]
            labels, levels = labels[wide], levels[wide]
        groups = levels if self.two_stage else labels
        keep = batched_nms(boxes, scores, groups,
                           self.cfg.nms.iou_threshold)
        keep = keep[:self.cfg.max_per_img]
        if self.two_stage:
            return (boxes[keep], scores[keep]) + tuple(feats)
        return boxes[keep], scores[keep], labels[keep]
