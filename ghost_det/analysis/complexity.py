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


# The papers' figures at 224x224: params (M), MFLOPs; None where the source
# gives none. GhostNet: the paper's Table 7 (Table 8 for the 1.1x detection
# backbone). RepGhostNet: the table of the RepGhost release
# (github.com/ChengpengChen/RepGhost, readme; its weight files are named by
# the same MFLOPs). GhostNetV2-1.0x: 167M in the GhostNetV2 release's readme.
# GhostNetV3: 269M for 1.3x in the paper's abstract; no 1.0x figure here.
PAPER_COSTS = {
    ('GhostNet 0.5x', 'GhostNet', 0.5, True): (2.6, 42),
    ('GhostNet 1.0x', 'GhostNet', 1.0, True): (5.2, 141),
    ('GhostNet 1.3x', 'GhostNet', 1.3, True): (7.3, 226),
    ('GhostNet 1.1x blocks.0-9', 'GhostNet', 1.1, False): (None, 164),
    ('RepGhostNet 0.5x', 'RepGhostNet', 0.5, True): (2.3, 43),
    ('RepGhostNet 0.58x', 'RepGhostNet', 0.58, True): (2.5, 60),
    ('RepGhostNet 0.8x', 'RepGhostNet', 0.8, True): (3.3, 96),
    ('RepGhostNet 1.0x', 'RepGhostNet', 1.0, True): (4.1, 142),
    ('RepGhostNet 1.11x', 'RepGhostNet', 1.11, True): (4.5, 170),
    ('RepGhostNet 1.3x', 'RepGhostNet', 1.3, True): (5.5, 231),
    ('RepGhostNet 1.5x', 'RepGhostNet', 1.5, True): (6.6, 301),
    ('RepGhostNet 2.0x', 'RepGhostNet', 2.0, True): (9.8, 516),
    ('RepGhostNet 1.11x blocks.0-9', 'RepGhostNet', 1.11, False):
        (None, None),
    ('GhostNetV2 1.0x', 'GhostNetV2', 1.0, True): (None, 167),
    ('GhostNetV3 1.0x', 'GhostNetV3', 1.0, True): (None, None),
    ('GhostNetV3 1.3x', 'GhostNetV3', 1.3, True): (None, 269),
}
FAMILIES = ('GhostNet', 'RepGhostNet', 'GhostNetV2', 'GhostNetV3')
# counted as deployed: their training-time branches merge away
REPARAMETERIZED = ('RepGhostNet', 'GhostNetV3')


def build_ghostnet(widen_factor: float, with_head: bool,
                   family: str = 'GhostNet') -> nn.Module:
    """The ImageNet classifier (``with_head``) or all ten block groups of a
    Ghost-family network; RepGhostNet and GhostNetV3 re-parameterised."""
    if family not in FAMILIES:
        raise ValueError(f'unknown backbone {family!r}; choose one of '
                         f'{", ".join(FAMILIES)}')
    if with_head:
        from ..models.classifier import build_ghostnet_classifier
        model = build_ghostnet_classifier(widen_factor, backbone=family)
        backbone = model.backbone
    else:
        from .. import models
        model = backbone = getattr(models, family)(
            widen_factor=widen_factor, out_indices=(9, ))
    if family in REPARAMETERIZED:
        backbone.switch_to_deploy()
    return model


def ghostnet_cost(widen_factor: float, with_head: bool, h: int = 224,
                  w: int = 224, model=None, paper_ops: bool = True,
                  family: str = 'GhostNet') -> Tuple[int, int]:
    """(multiply-adds, parameters) of a Ghost-family network, built unless
    given."""
    model = model or build_ghostnet(widen_factor, with_head, family)
    flops, params, _ = count_complexity(
        model, (torch.zeros(1, 3, h, w), ), paper_ops=paper_ops)
    return flops, params


def cost_table() -> str:
    """Our counts beside the papers', as Markdown, with the counting note."""
    from ..utils.markdown import markdown_table
    rows = []
    for (name, family, widen, head), (p_params, p_flops) in (
            PAPER_COSTS.items()):
        model = build_ghostnet(widen, head, family)
        flops, params = ghostnet_cost(widen, head, model=model)
        all_ops, _ = ghostnet_cost(widen, head, model=model, paper_ops=False)
        rows.append([name, f'{params / 1e6:.2f}', p_params or '-',
                     f'{flops / 1e6:.1f}', p_flops or '-',
                     f'{flops / 1e6 / p_flops:.3f}' if p_flops else '-',
                     f'{all_ops / 1e6:.1f}'])
    table = markdown_table(['model', 'params (M)', 'paper', 'MFLOPs', 'paper',
                            'ratio', 'MFLOPs, all ops'], rows)
    return (table + f'\n\n224x224 input, batch 1. {COUNTING_NOTE}. "All ops" '
            "is mmengine's default count (BatchNorm, pooling, ... too), not "
            'comparable with the paper. Classifiers include the 1280 head and '
            'the 1000-way FC; "blocks.0-9" is the backbone without them '
            '(a detector runs blocks.0-8 only: blocks.9 feeds no output). '
            'RepGhostNet and GhostNetV3 are counted '
            're-parameterised (switch_to_deploy: the network that runs). '
            '"-": the sources named in ghost_det/analysis/complexity.py give '
            'no figure.')


def config_cost(config: str, height: int, width: int) -> str:
    """The backbone at 224x224 and the whole detector at ``height`` x
    ``width`` of an mmdet config, with the backbone/neck/head shares."""
    from mmdet.apis import init_detector
    from mmdet.registry import MODELS
    detector = init_detector(config, palette='random', device='cpu')
    backbone = MODELS.build(detector.cfg.model.backbone)
    b_flops, b_params, _ = count_complexity(
        backbone, (torch.zeros(1, 3, 224, 224), ))
    r = detector_complexity(detector, height, width)
    lines = [f'config: {config}',
             f'backbone {detector.cfg.model.backbone.type} at 224x224 (as the '
             f'detector runs it): {b_flops / 1e6:.1f} MFLOPs, '
             f'{b_params / 1e6:.2f} M params',
             f'detector at {height}x{width} (padded to {r["input_h"]}x'
             f'{r["input_w"]}): {r["flops"] / 1e9:.2f} GFLOPs, '
             f'{r["params"] / 1e6:.2f} M params']
    for part in ('backbone', 'neck', 'rpn_head', 'roi_head', 'bbox_head'):
        if f'{part}_flops' in r:
            lines.append(f'  {part:9s} {r[f"{part}_flops"] / 1e9:8.2f} GFLOPs '
                         f'{r[f"{part}_params"] / 1e6:7.2f} M params')
    return '\n'.join(lines + [COUNTING_NOTE])
