"""OpenVINO on the CPU: an ONNX export compiled, or saved as OpenVINO IR.

OpenVINO reads the ONNX files of :mod:`~ghost_det.deploy.onnx_export`
directly. Compiled models run in float32 (``INFERENCE_PRECISION_HINT``:
on CPUs with AMX or AVX-512-BF16 OpenVINO would otherwise pick bfloat16,
which is not exact). A static input shape compiles to faster code than a
dynamic one; :func:`openvino_model` takes either.
"""
from typing import List, Optional, Sequence

import numpy as np


def _core():
    try:
        import openvino as ov
    except ImportError as e:
        raise ImportError(
            'OpenVINO is not installed: pip install -c '
            'requirements/constraints.txt -e ".[deploy]" (or '
            'scripts/install.sh)') from e
    return ov, ov.Core()


def openvino_model(path: str, threads: int = 0,
                   shape: Optional[Sequence[int]] = None,
                   perf_count: bool = False):
    """The ONNX (or IR ``.xml``) model at ``path`` compiled for the CPU in
    float32, for ``shape`` when given (else dynamic as exported);
    ``threads`` 0 lets OpenVINO choose; ``perf_count`` keeps per-layer
    timings (:meth:`OpenVINOSession.profile`). Returns an
    :class:`OpenVINOSession`."""
    ov, core = _core()
    model = core.read_model(path)
    if shape is not None:
        model.reshape({model.inputs[0].any_name: list(shape)})
    config = {'INFERENCE_PRECISION_HINT': 'f32', 'PERFORMANCE_HINT': 'LATENCY',
              'NUM_STREAMS': 1}
    if threads:
        config['INFERENCE_NUM_THREADS'] = threads
    if perf_count:
        config['PERF_COUNT'] = True
    return OpenVINOSession(core.compile_model(model, 'CPU', config))


def save_ir(onnx_path: str, xml_path: str) -> None:
    """Convert an ONNX export to OpenVINO IR (``.xml`` + ``.bin``)."""
    ov, _ = _core()
    ov.save_model(ov.convert_model(onnx_path), xml_path,
                  compress_to_fp16=False)


class OpenVINOSession:
    """A compiled model with ONNX Runtime's ``run`` signature."""

    def __init__(self, compiled) -> None:
        self.compiled = compiled
        self.request = compiled.create_infer_request()

    def run(self, output_names, feeds: dict,
            copy: bool = True) -> List[np.ndarray]:
        """Outputs as arrays; ``copy=False`` returns views of the request's
        buffers, valid until the next run (as timed by the benchmark)."""
        self.request.infer(list(feeds.values()))
        outs = [self.request.get_output_tensor(i).data
                for i in range(len(self.compiled.outputs))]
        return [o.copy() for o in outs] if copy else outs

    def profile(self) -> dict:
        """Milliseconds of the last run per executed layer type and kernel,
        e.g. ``Convolution (brgconv_avx512_1x1)`` (needs ``perf_count``)."""
        totals: dict = {}
        for info in self.request.profiling_info:
            if info.status.name != 'EXECUTED':
                continue
            key = f'{info.node_type} ({info.exec_type})'
            ms = info.real_time.total_seconds() * 1e3
            totals[key] = totals.get(key, 0.) + ms
        return totals
