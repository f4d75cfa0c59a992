"""Speed and memory of GhostNet against the Table 8 baselines, in one process.

Every generic acceleration (BatchNorm folding, channels_last,
``torch.compile``, ONNX Runtime, dropping layers no output uses) is applied
to every backbone alike; only GhostNet's own exact rewrite
(:meth:`GhostNet.switch_to_deploy`) is GhostNet's alone, reported as the
separate variant "GhostNet-1.1x deploy". Calls are interleaved: each repeat
runs every variant of a group once, so drifts of a noisy machine hit all
alike.
"""
import copy
import os
import shutil
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn

from ..deploy import (
    GhostLayout,
    can_relayout,
    deploy_model,
    drop_unused_layers,
    fold_norms,
    relayout,
)

CONFIG_DIR = Path(__file__).parents[1] / '.mim' / 'configs'
BACKBONES: Dict[str, str] = {
    'GhostNet-1.1x': 'ghostnet/{det}_ghostnet-1.1x_fpn_1x_coco.py',
    'GhostNet-1.0x': 'ghostnet/{det}_ghostnet-1.0x_fpn_1x_coco.py',
    'MobileNetV2-1.0x': 'baselines/{det}_mobilenetv2-1.0x_fpn_1x_coco.py',
    'MobileNetV3-L-1.0x':
    'baselines/{det}_mobilenetv3-large-1.0x_fpn_1x_coco.py',
    'RepGhostNet-1.11x': 'repghostnet/{det}_repghostnet-1.11x_fpn_1x_coco.py',
    'GhostNetV2-1.0x': 'ghostnetv2/{det}_ghostnetv2-1.0x_fpn_1x_coco.py',
    'GhostNetV3-1.0x': 'ghostnetv3/{det}_ghostnetv3-1.0x_fpn_1x_coco.py',
}
# Ghost-family backbones: each has a deploy variant (its switch_to_deploy);
# GhostNet's own can be relaid (layouts), the others deploy one way
GHOST_FAMILY = ('GhostNet-1.1x', 'GhostNet-1.0x', 'RepGhostNet-1.11x',
                'GhostNetV2-1.0x', 'GhostNetV3-1.0x')
RELAYABLE = ('GhostNet-1.1x', 'GhostNet-1.0x')
DETECTORS = {'RetinaNet': 'retinanet', 'Faster R-CNN': 'faster-rcnn'}
MAIN, BASELINES = 'GhostNet-1.1x', ('MobileNetV3-L-1.0x', 'MobileNetV2-1.0x')
MODES = ('eager', 'fold', 'channels_last', 'compile', 'onnxruntime',
         'openvino', 'openvino_static')
DEPLOY = ' deploy'  # suffix of GhostNet's own deploy variants


ENGINE = {'eager': 'pytorch', 'fold': 'pytorch', 'channels_last': 'pytorch',
          'compile': 'pytorch', 'onnxruntime': 'onnxruntime',
          'openvino': 'openvino', 'openvino_static': 'openvino'}
EXPORTED = ('onnxruntime', 'openvino', 'openvino_static')
SWEEP = ('fold', 'pad8', 'pad16', 'pad1-split', 'pad16-split')


def ghost_layout(mode: str, shape: Sequence[int],
                 layout: Optional[str] = None) -> str:
    """GhostNet's deploy layout in ``mode`` for inputs of ``shape``: the
    one :func:`~ghost_det.deploy.ghostnet.default_layout` picks for the
    mode's engine (``layout`` overrides)."""
    from ..deploy.ghostnet import default_layout
    return layout or default_layout(ENGINE[mode], shape[-2:]).name


@dataclass
class Record:
    part: str                   # e.g. 'backbone', 'RetinaNet inference'
    variant: str                # backbone name [+ ' deploy']
    mode: str
    shape: Tuple[int, ...]      # input (N, C, H, W)
    threads: int
    device: str
    times_ms: List[float] = field(default_factory=list)
    peak_mb: Optional[float] = None
    setup_s: float = 0.0        # build, export or compile time, not timed
    error: Optional[str] = None

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms) if self.times_ms else (
            float('nan'))

    def summary(self) -> dict:
        out = asdict(self)
        out.update(median_ms=self.median_ms,
                   min_ms=min(self.times_ms, default=None),
                   max_ms=max(self.times_ms, default=None))
        return out


def config_path(backbone: str, detector: str = 'RetinaNet') -> Path:
    return CONFIG_DIR / BACKBONES[backbone].format(det=DETECTORS[detector])


def build_detector(backbone: str, detector: str = 'RetinaNet') -> nn.Module:
    """The Table 8 detector with random weights (mmdet's ``init_detector``:
    no download, no ``init_weights``), its post-processing keeping every
    candidate box (score_thr 0), so NMS works as it would on a trained
    model."""
    from mmdet.apis import init_detector
    from mmengine.config import Config
    cfg = Config.fromfile(str(config_path(backbone, detector)))
    test_cfg = cfg.model.test_cfg
    (test_cfg.rcnn if 'rcnn' in test_cfg else test_cfg).score_thr = 0.0
    return init_detector(cfg, palette='random', device='cpu')


def prepare(model: nn.Module, mode: str, ghost_layout: Optional[str],
            device: str, example: torch.Tensor,
            workdir: str) -> Callable[[torch.Tensor], object]:
    """A callable running ``model`` (a backbone or a detector) the way
    ``mode`` says: a deep copy with the generic rewrites; with
    ``ghost_layout``, GhostNet's deploy rewrite too (a backbone keeps its
    outputs in that layout, as inside a detector whose FPN reads them).
    Exported modes run a backbone's ONNX graph, or a detector's end-to-end
    graph inside :class:`~ghost_det.deploy.engine_detector.EngineDetector`;
    ``openvino_static`` compiles for the example's shape."""
    model = copy.deepcopy(model)
    drop_unused_layers(model)
    detector = hasattr(model, 'extract_feat')
    if mode != 'eager':
        fold_norms(model)
    if ghost_layout and detector:
        deploy_model(model, ENGINE[mode], ghost_layout)
    elif ghost_layout and can_relayout(model):
        relayout(model, GhostLayout.parse(ghost_layout), gather_outputs=False)
    elif ghost_layout:  # re-parameterised (RepGhostNet, GhostNetV3) or folded
        model.switch_to_deploy()
    model.eval()
    if mode in EXPORTED:
        from ..deploy.engine_detector import EngineDetector, engine_session
        from ..deploy.onnx_export import export_end_to_end, export_onnx
        path = os.path.join(workdir, f'{id(model)}.onnx')
        backend = ENGINE[mode]
        if detector:
            h, w = (-(-s // 32) * 32 for s in example.shape[-2:])
            export_end_to_end(model, path, (h, w))
            return EngineDetector(model, engine_session(
                path, backend, torch.get_num_threads()))
        export_onnx(model, path, tuple(example.shape))
        session = engine_session(
            path, backend, torch.get_num_threads(),
            tuple(example.shape) if mode == 'openvino_static' else None)
        if backend == 'openvino':
            return lambda x: session.run(None, {'input': x.cpu().numpy()},
                                         copy=False)
        return lambda x: session.run(None, {'input': x.cpu().numpy()})
    model.to(device)
    if mode == 'channels_last':
        model.to(memory_format=torch.channels_last)
    if mode == 'compile':
        import torch._dynamo.config as dynamo
        import torch._inductor.config as inductor
        inductor.freezing = True  # constant weights: prepacked CPU kernels
        # every variant is a new module object behind the same forward code:
        # past dynamo's default of 8 recompilations it would run them eager
        dynamo.cache_size_limit = max(dynamo.cache_size_limit, 256)
        dynamo.accumulated_cache_size_limit = max(
            dynamo.accumulated_cache_size_limit, 2048)
        return torch.compile(
            model, mode='reduce-overhead' if device == 'cuda' else None)
    return model


def as_input(x: torch.Tensor, mode: str) -> torch.Tensor:
    return x.to(memory_format=torch.channels_last) if (
        mode == 'channels_last') else x


def synchronize(device: str) -> None:
    if device == 'cuda':
        torch.cuda.synchronize()


def peak_memory_mb(fn: Callable[[], object], device: str) -> float:
    """Peak memory allocated by torch while ``fn`` runs, above what was
    allocated before: CUDA's allocator statistics on GPU, the profiler's
    allocation trace on CPU."""
    if device == 'cuda':
        torch.cuda.synchronize()
        base = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        fn()
        torch.cuda.synchronize()
        return (torch.cuda.max_memory_allocated() - base) / 2**20
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True,
                 record_shapes=False) as prof:
        fn()
    live = peak = 0
    for event in sorted(prof.events(), key=lambda e: e.time_range.start):
        live += event.self_cpu_memory_usage
        peak = max(peak, live)
    return peak / 2**20


def time_interleaved(calls: Dict[tuple, Callable[[], object]], warmup: int,
                     repeats: int, device: str,
                     grad: bool = False) -> Dict[tuple, List[float]]:
    """Milliseconds per call, each repeat running every call once."""
    context = torch.enable_grad if grad else torch.inference_mode
    with context():
        for fn in calls.values():
            for _ in range(warmup):
                fn()
    times: Dict[tuple, List[float]] = {k: [] for k in calls}
    for _ in range(repeats):
        for key, fn in calls.items():
            synchronize(device)
            start = time.perf_counter()
            with context():
                fn()
            synchronize(device)
            times[key].append((time.perf_counter() - start) * 1e3)
    return times


def variants(backbones: Sequence[str], mode: str, shape: Sequence[int],
             layout: Optional[str] = None, sweep: bool = False
             ) -> List[Tuple[str, str, Optional[str]]]:
    """(name, backbone, GhostNet layout) measured in ``mode``. Each
    Ghost-family backbone's deploy variant is offered wherever the generic
    rewrites are, GhostNet's with the layout :func:`ghost_layout` picks;
    with ``sweep``, GhostNet-1.1x's in every layout of :data:`SWEEP` too."""
    out = [(b, b, None) for b in backbones]
    if mode == 'eager':
        return out
    chosen = ghost_layout(mode, shape, layout)
    out += [(b + DEPLOY, b, chosen if b in RELAYABLE else 'fold')
            for b in backbones if b in GHOST_FAMILY]
    if sweep and MAIN in backbones:
        out += [(f'{MAIN}{DEPLOY} {name}', MAIN, name) for name in SWEEP]
    return out


def measure_group(part: str, models: Dict[str, nn.Module],
                  backbones: Sequence[str], modes: Sequence[str],
                  example: torch.Tensor, threads: int, device: str,
                  layout: Optional[str], warmup: int, repeats: int,
                  log: Callable[[str], None],
                  call: Optional[Callable] = None,
                  sweep: bool = False) -> List[Record]:
    """One interleaved timing group: every backbone x mode at one input
    (GhostNet's deploy ``layout`` None: :func:`ghost_layout`)."""
    records, calls = [], {}
    with tempfile.TemporaryDirectory() as workdir:
        for mode in modes:
            for name, backbone, ghost in variants(
                    backbones, mode, example.shape, layout, sweep):
                rec = Record(part, name, mode, tuple(example.shape), threads,
                             device)
                records.append(rec)
                start = time.perf_counter()
                try:
                    fn = prepare(models[backbone], mode, ghost, device,
                                 example, workdir)
                    x = as_input(example.to(device), mode)
                    run = (lambda f=fn, x=x: f(x)) if call is None else (
                        lambda f=fn, x=x: call(f, x))
                    with torch.inference_mode():
                        run()  # compile/export happen here, not timed
                    if mode not in EXPORTED + ('compile', ) or (
                            device == 'cuda' and mode == 'compile'):
                        # ORT's and inductor's CPU buffers are not torch
                        # allocations the profiler sees
                        with torch.inference_mode():
                            rec.peak_mb = peak_memory_mb(run, device)
                    calls[(name, mode)] = run
                except Exception as e:  # noqa: BLE001  (reported, not fatal)
                    rec.error = f'{type(e).__name__}: {e}'.splitlines()[0]
                    log(f'  {name} [{mode}]: skipped ({rec.error})')
                rec.setup_s = time.perf_counter() - start
        times = time_interleaved(calls, warmup, repeats, device)
    for rec in records:
        rec.times_ms = times.get((rec.variant, rec.mode), [])
    return records


def ratio_rows(records: List[Record]) -> List[List[str]]:
    """GhostNet-1.1x's speed relative to each baseline (> 1: faster), per
    part, input, threads and mode, then in the best mode of each."""
    rows = []
    groups: Dict[tuple, List[Record]] = {}
    for r in records:
        if r.times_ms:
            groups.setdefault((r.part, r.shape, r.threads), []).append(r)
    for (part, shape, threads), recs in groups.items():
        def best(variant_prefix: str, mode: Optional[str] = None):
            cands = [r for r in recs if (mode is None or r.mode == mode)
                     and (r.variant == variant_prefix or r.variant.startswith(
                         variant_prefix + DEPLOY))]
            return min(cands, key=lambda r: r.median_ms, default=None)

        modes = [m for m in MODES if any(r.mode == m for r in recs)]
        for mode in modes + ['best of each']:
            m = None if mode == 'best of each' else mode
            ghost = best(MAIN, m)
            if ghost is None:
                continue
            cells = []
            for base in BASELINES:
                other = best(base, m)
                cells.append(f'{other.median_ms / ghost.median_ms:.2f}x'
                             + (f' ({other.mode})' if m is None else '')
                             if other else '-')
            rows.append([part, 'x'.join(map(str, shape[2:])) + (
                f' b{shape[0]}' if shape[0] > 1 else ''), str(threads),
                mode, ghost.variant + (
                    f' ({ghost.mode})' if m is None else ''), *cells])
    return rows


ENGINE_HEADER = ['part', 'input', 'threads', 'engine', f'{MAIN} (variant, mode)',
                 *[f'{b} (mode)' for b in BASELINES],
                 *[f'vs {b}' for b in BASELINES]]


def _timed_groups(records: List[Record]) -> Dict[tuple, List[Record]]:
    """Records with timings, by (part, input shape, threads)."""
    groups: Dict[tuple, List[Record]] = {}
    for r in records:
        if r.times_ms:
            groups.setdefault((r.part, r.shape, r.threads), []).append(r)
    return groups


ENGINES_AND_BEST = ('pytorch', 'onnxruntime', 'openvino', 'best engine')


def _fastest(recs: List[Record], name: str, engine: str) -> Optional[Record]:
    """The fastest record of model ``name`` (any variant) in ``engine``'s
    modes, or in all modes for 'best engine'."""
    return min((r for r in recs if (
        engine == 'best engine' or ENGINE[r.mode] == engine)
        and (r.variant == name or r.variant.startswith(name + DEPLOY))),
        key=lambda r: r.median_ms, default=None)


def _input_label(shape: Tuple[int, ...]) -> str:
    return 'x'.join(map(str, shape[2:])) + (
        f' b{shape[0]}' if shape[0] > 1 else '')


def engine_rows(records: List[Record]) -> List[List[str]]:
    """Per part, input, threads and engine: the fastest GhostNet-1.1x
    variant and the fastest of each baseline over that engine's modes
    (milliseconds), then GhostNet's speed relative to each (> 1: faster);
    last, the best engine for each model."""
    rows = []
    for (part, shape, threads), recs in _timed_groups(records).items():
        for engine in ENGINES_AND_BEST:
            ghost = _fastest(recs, MAIN, engine)
            others = [_fastest(recs, b, engine) for b in BASELINES]
            if ghost is None or None in others:
                continue
            variant = ghost.variant[len(MAIN):].strip() or 'generic'
            rows.append([
                part, _input_label(shape), str(threads), engine,
                f'{ghost.median_ms:.2f} ({variant}, {ghost.mode})',
                *[f'{o.median_ms:.2f} ({o.mode})' for o in others],
                *[f'{o.median_ms / ghost.median_ms:.2f}x' for o in others]])
    return rows


FAMILY_HEADER = ['part', 'input', 'threads', 'engine', 'model',
                 'ms (variant, mode)', *[f'vs {b}' for b in BASELINES]]


def family_rows(records: List[Record]) -> List[List[str]]:
    """Per part, input, threads and engine: each Ghost-family backbone's
    fastest variant and mode (ms) and its speed relative to the fastest of
    each baseline in the same engine (> 1: faster)."""
    rows = []
    for (part, shape, threads), recs in _timed_groups(records).items():
        for engine in ENGINES_AND_BEST:
            others = [_fastest(recs, b, engine) for b in BASELINES]
            if None in others:
                continue
            for name in GHOST_FAMILY:
                ghost = _fastest(recs, name, engine)
                if ghost is None:
                    continue
                variant = ghost.variant[len(name):].strip() or 'generic'
                rows.append([
                    part, _input_label(shape), str(threads), engine, name,
                    f'{ghost.median_ms:.2f} ({variant}, {ghost.mode})',
                    *[f'{o.median_ms / ghost.median_ms:.2f}x'
                      for o in others]])
    return rows


def detector_inputs(image: torch.Tensor, with_boxes: bool = False) -> dict:
    """mmdet's data-loader output for ``image`` (N, 3, H, W), 0-255; with
    ``with_boxes``, five random ground-truth boxes per image."""
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    n, _, h, w = image.shape
    samples = []
    for _ in range(n):
        sample = DetDataSample(metainfo=dict(
            img_shape=(h, w), ori_shape=(h, w), scale_factor=(1., 1.)))
        if with_boxes:
            xy = torch.rand(5, 2) * torch.tensor([w * 0.7, h * 0.7])
            wh = torch.rand(5, 2) * torch.tensor([w * 0.3, h * 0.3]) + 16
            sample.gt_instances = InstanceData(
                bboxes=torch.cat([xy, xy + wh], 1),
                labels=torch.randint(0, 80, (5, )))
        samples.append(sample)
    return dict(inputs=list(image.to(torch.uint8)), data_samples=samples)


def predict_call(model: nn.Module, image: torch.Tensor):
    """Whole-detector inference: preprocessing, network, post-processing."""
    return model.test_step(detector_inputs(image))


def measure_training(detectors: Dict[str, nn.Module], image: torch.Tensor,
                     threads: int, device: str, warmup: int, repeats: int,
                     part: str) -> List[Record]:
    """Training-step time (forward, backward, SGD step), AMP on CUDA."""
    from mmengine.optim import AmpOptimWrapper, OptimWrapper
    data = detector_inputs(image, with_boxes=True)
    records, calls = [], {}
    for name, detector in detectors.items():
        model = drop_unused_layers(copy.deepcopy(detector)).to(device)
        model.train()
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-4,
                                    momentum=0.9)
        wrapper = (AmpOptimWrapper(optimizer=optimizer) if device == 'cuda'
                   else OptimWrapper(optimizer=optimizer))
        rec = Record(part, name, 'eager' + (' amp' if device == 'cuda'
                                            else ''),
                     tuple(image.shape), threads, device)

        def step(model=model, wrapper=wrapper):
            return model.train_step(data, wrapper)

        step()
        rec.peak_mb = peak_memory_mb(step, device)
        records.append(rec)
        calls[(name, rec.mode)] = step
    times = time_interleaved(calls, warmup, repeats, device, grad=True)
    for rec in records:
        rec.times_ms = times[(rec.variant, rec.mode)]
    return records


def op_profile(model: nn.Module, example: torch.Tensor, mode: str,
               runs: int = 3,
               trace_dir: Optional[str] = None) -> Dict[str, float]:
    """Milliseconds per run by operator type: ONNX Runtime's own profiler
    for ``onnxruntime`` (``model`` exported as is; its trace is kept in
    ``trace_dir`` when given, never in the working directory), OpenVINO's
    per-layer counters (layer type and the kernel it ran) for the OpenVINO
    modes, torch's otherwise."""
    if mode in ('openvino', 'openvino_static'):
        from ..deploy.onnx_export import export_onnx
        from ..deploy.openvino_runtime import openvino_model
        with tempfile.TemporaryDirectory() as workdir:
            path = os.path.join(workdir, 'model.onnx')
            export_onnx(model, path, tuple(example.shape))
            session = openvino_model(
                path, torch.get_num_threads(), tuple(example.shape) if (
                    mode == 'openvino_static') else None, perf_count=True)
            totals = {}
            for _ in range(runs + 1):
                session.run(None, {'input': example.numpy()}, copy=False)
                for op, ms in session.profile().items():
                    totals[op] = totals.get(op, 0.) + ms
        return {k: v / (runs + 1) for k, v in totals.items()}
    if mode == 'onnxruntime':
        import json

        import onnxruntime as ort

        from ..deploy.onnx_export import export_onnx
        with tempfile.TemporaryDirectory() as workdir:
            path = os.path.join(workdir, 'model.onnx')
            export_onnx(model, path, tuple(example.shape))
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = torch.get_num_threads()
            opts.inter_op_num_threads = 1
            opts.log_severity_level = 3
            opts.enable_profiling = True
            opts.profile_file_prefix = os.path.join(workdir, 'ort')
            session = ort.InferenceSession(
                path, opts, providers=['CPUExecutionProvider'])
            feed = {'input': example.numpy()}
            session.run(None, feed)
            for _ in range(runs):
                session.run(None, feed)
            trace = session.end_profiling()
            with open(trace) as f:
                events = json.load(f)
            if trace_dir:
                os.makedirs(trace_dir, exist_ok=True)
                shutil.move(trace, os.path.join(trace_dir,
                                                os.path.basename(trace)))
        totals: Dict[str, float] = {}
        for e in events:
            if e.get('cat') == 'Node' and e['name'].endswith('_kernel_time'):
                op = e['args']['op_name']
                totals[op] = totals.get(op, 0.0) + e['dur'] / 1e3
        return {k: v / (runs + 1) for k, v in totals.items()}
    from torch.profiler import ProfilerActivity, profile
    x = as_input(example, mode)
    with torch.inference_mode():
        model(x)
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(runs):
                model(x)
    return {e.key: e.self_cpu_time_total / 1e3 / runs
            for e in prof.key_averages() if e.self_cpu_time_total > 0}
