"""Where the time goes: milliseconds per run by operator type, from each
engine's own profiler (ONNX Runtime's trace, OpenVINO's per-layer counters,
torch's profiler)."""
import json
import os
import shutil
import tempfile
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn

from ..utils.markdown import markdown_table


def _engine_profile(model: nn.Module, example: torch.Tensor, mode: str,
                    runs: int, trace_dir: Optional[str]) -> Dict[str, float]:
    from ..deploy.onnx_export import export_onnx, ort_session
    from ..deploy.openvino_runtime import openvino_model
    totals: Dict[str, float] = {}
    feed, threads = {'input': example.numpy()}, torch.get_num_threads()
    with tempfile.TemporaryDirectory() as workdir:
        path = os.path.join(workdir, 'model.onnx')
        export_onnx(model, path, tuple(example.shape))
        if mode == 'onnxruntime':
            session = ort_session(path, threads, os.path.join(workdir, 'ort'))
            for _ in range(runs + 1):
                session.run(None, feed)
            trace = session.end_profiling()
            with open(trace) as f:
                for e in json.load(f):
                    if e.get('cat') == 'Node' and e['name'].endswith(
                            '_kernel_time'):
                        op = e['args']['op_name']
                        totals[op] = totals.get(op, 0.) + e['dur'] / 1e3
            if trace_dir:
                os.makedirs(trace_dir, exist_ok=True)
                shutil.move(trace, trace_dir)
        else:
            session = openvino_model(path, threads, tuple(example.shape) if (
                mode == 'openvino_static') else None, perf_count=True)
            for _ in range(runs + 1):
                session.run(None, feed, copy=False)
                for op, ms in session.profile().items():
                    totals[op] = totals.get(op, 0.) + ms
    return {k: v / (runs + 1) for k, v in totals.items()}


def op_profile(model: nn.Module, example: torch.Tensor, mode: str,
               runs: int = 3,
               trace_dir: Optional[str] = None) -> Dict[str, float]:
    """Milliseconds per run by operator type: ONNX Runtime's own profiler
    for ``onnxruntime`` (``model`` exported as is; its trace is kept in
    ``trace_dir`` when given, never in the working directory), OpenVINO's
    per-layer counters (layer type and the kernel it ran) for the OpenVINO
    modes, torch's otherwise."""
    if mode in ('onnxruntime', 'openvino', 'openvino_static'):
        return _engine_profile(model, example, mode, runs, trace_dir)
    from torch.profiler import ProfilerActivity, profile
    x = example.to(memory_format=torch.channels_last) if (
        mode == 'channels_last') else example
    with torch.inference_mode():
        model(x)
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(runs):
                model(x)
    return {e.key: e.self_cpu_time_total / 1e3 / runs
            for e in prof.key_averages() if e.self_cpu_time_total > 0}


def backbone_profiles(configs: Sequence[str], mode: str,
                      shape: Sequence[int], layout: str = 'default',
                      runs: int = 3, trace_dir: Optional[str] = None
                      ) -> Dict[str, Dict[str, float]]:
    """:func:`op_profile` of each config's backbone in ``mode`` at ``shape``
    (N, C, H, W), rewritten as the benchmark's variants are: a Ghost-family
    backbone deployed in ``layout`` (``'default'``: its engine's), named
    ``<model> deploy``."""
    from .benchmark import build_detector, has_ghost, labels, rewritten
    from .timing import DEPLOY
    torch.manual_seed(0)
    example, profiles = torch.randn(*shape), {}
    for config in configs:
        backbone = build_detector(config).backbone
        deploy = layout if has_ghost(backbone) else None
        name = labels(config)[1] + (DEPLOY if deploy else '')
        profiles[name] = op_profile(
            rewritten(backbone, mode, deploy, shape), example, mode, runs,
            trace_dir)
    return profiles


def profile_table(profiles: Dict[str, Dict[str, float]], title: str,
                  top: int = 12) -> str:
    """``profiles`` (model -> op -> ms) as one Markdown table: the ``top``
    operators by their largest time, then the totals."""
    ops = sorted({op for p in profiles.values() for op in p},
                 key=lambda op: -max(p.get(op, 0) for p in profiles.values()))
    rows = [[op] + [f'{p.get(op, 0):.2f}' for p in profiles.values()]
            for op in ops[:top]]
    rows.append(['total'] + [f'{sum(p.values()):.2f}'
                             for p in profiles.values()])
    return f'{title}\n\n' + markdown_table(['operator', *profiles], rows)
