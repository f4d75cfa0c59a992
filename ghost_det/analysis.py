"""Parameter and multiply-add counts the way the GhostNet paper counts them.

mmengine's ``FlopAnalyzer`` counts one FLOP per multiply-add of conv and
matmul-like ops, but by default it also counts BatchNorm, GroupNorm,
upsampling and pooling. The paper's "FLOPs" are the multiply-adds of
convolutions and fully connected layers only, so we keep just those
handles (``PAPER_OPS``) and reuse mmengine's own counters for them.
"""
from collections import defaultdict
from typing import Dict, Tuple

import torch
import torch.nn as nn
from mmengine.analysis import FlopAnalyzer
from mmengine.analysis.complexity_analysis import _DEFAULT_SUPPORTED_FLOP_OPS

PAPER_OPS = ('aten::_convolution', 'aten::addmm', 'aten::linear',
             'aten::matmul', 'aten::mm', 'aten::bmm', 'aten::einsum')
COUNTING_NOTE = ('FLOPs = multiply-adds of conv and fully connected layers '
                 "only, as in the paper (mmengine FlopAnalyzer restricted to "
                 f"{', '.join(op.split('::')[1] for op in PAPER_OPS)})")


def paper_flop_analyzer(model: nn.Module, inputs) -> FlopAnalyzer:
    """A ``FlopAnalyzer`` that counts conv/FC multiply-adds only."""
    analyzer = FlopAnalyzer(model, inputs)
    analyzer.clear_op_handles()
    analyzer.set_op_handle(
        **{op: _DEFAULT_SUPPORTED_FLOP_OPS[op] for op in PAPER_OPS})
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    return analyzer


def feeding_parameter_count(model: nn.Module, inputs) -> Dict[str, int]:
    """Parameters of the modules whose ops feed the outputs, per module
    prefix ('' is the total), named like ``mmengine.analysis.
    parameter_count``.

    A backbone in a detector can hold layers that no output uses: GhostNet's
    ``blocks.9`` is not run, MobileNetV2/V3's last 1x1 conv runs but feeds
    nothing. The FLOP count leaves both out (the traced graph drops unused
    ops), so this count does too: a module's own parameters count when
    mmengine's analyzer, with its default ops (conv, norm, linear, ...),
    finds work for that module in the traced graph.
    """
    analyzer = FlopAnalyzer(model, inputs)
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    work = analyzer.by_module()
    counts: Dict[str, int] = defaultdict(int)
    seen = set()
    for name, module in model.named_modules():
        if not work.get(name):
            continue
        for pname, param in module.named_parameters(recurse=False):
            if id(param) in seen:
                continue
            seen.add(id(param))
            parts = (f'{name}.{pname}' if name else pname).split('.')
            for i in range(len(parts)):
                counts['.'.join(parts[:i])] += param.numel()
    return dict(counts)


def _complexity(model: nn.Module, inputs, paper_ops: bool = True
                ) -> Tuple[int, Dict[str, int], Dict[str, int]]:
    """(multiply-adds, parameters per module prefix, multiply-adds per
    module), both counts over the layers that feed the outputs."""
    was_training = model.training
    model.eval()
    with torch.no_grad():
        if paper_ops:
            analyzer = paper_flop_analyzer(model, inputs)
        else:
            analyzer = FlopAnalyzer(model, inputs)
            analyzer.unsupported_ops_warnings(False)
            analyzer.uncalled_modules_warnings(False)
        flops = analyzer.total()
        by_module = dict(analyzer.by_module())
        params = feeding_parameter_count(model, inputs)
    model.train(was_training)
    return int(flops), params, by_module


def count_complexity(model: nn.Module, inputs, paper_ops: bool = True
                     ) -> Tuple[int, int, Dict[str, int]]:
    """Return (multiply-adds, parameters, multiply-adds per module).

    Both counts cover the layers that feed the outputs (for a whole
    classifier, all of them). ``paper_ops=False`` gives mmengine's default
    FLOP count (norms, pooling, upsampling included) for comparison.
    """
    flops, params, by_module = _complexity(model, inputs, paper_ops)
    return flops, int(params.get('', 0)), by_module


class _DetectorTensorForward(nn.Module):
    """Run a detector's ``_forward`` (features -> head outputs) on a tensor,
    with the data samples its two-stage heads need for proposals."""

    def __init__(self, detector: nn.Module, data_samples) -> None:
        super().__init__()
        self.detector = detector
        self.data_samples = data_samples

    def forward(self, inputs: torch.Tensor):
        return self.detector._forward(inputs, self.data_samples)


def detector_complexity(detector: nn.Module, height: int, width: int,
                        pad_divisor: int = 32) -> Dict[str, int]:
    """Multiply-adds and parameters of a detector at one input size.

    The input is zero-padded to ``pad_divisor`` as mmdet's data
    preprocessor does. Returns totals and the backbone/neck/head shares.
    """
    from mmdet.structures import DetDataSample
    pad_h = -(-height // pad_divisor) * pad_divisor
    pad_w = -(-width // pad_divisor) * pad_divisor
    sample = DetDataSample(metainfo=dict(
        img_shape=(height, width), ori_shape=(height, width),
        pad_shape=(pad_h, pad_w), batch_input_shape=(pad_h, pad_w),
        scale_factor=(1.0, 1.0)))
    wrapper = _DetectorTensorForward(detector, [sample])
    inputs = (torch.zeros(1, 3, pad_h, pad_w), )
    flops, params_by_part, by_module = _complexity(wrapper, inputs)
    result = dict(flops=flops, params=params_by_part.get('', 0),
                  input_h=pad_h, input_w=pad_w)
    for part in ('backbone', 'neck', 'rpn_head', 'roi_head', 'bbox_head'):
        if hasattr(detector, part) and getattr(detector, part) is not None:
            result[f'{part}_flops'] = by_module.get(f'detector.{part}', 0)
            result[f'{part}_params'] = params_by_part.get(f'detector.{part}', 0)
    return result
