"""Speed and memory of detector configs' backbones and detectors in one
process; by default Table 8's six (GhostNet-1.1x, MobileNetV3-Large 1.0x and
MobileNetV2 1.0x in RetinaNet and Faster R-CNN).

Every generic acceleration (unused layers dropped, BatchNorm folded,
channels_last, ONNX Runtime, OpenVINO) is given to every
model alike; a Ghost-family backbone's deployed form
(:func:`~ghost_det.deploy.deploy_model`) is the extra variant ``<model>
deploy``. Calls are interleaved (:mod:`~ghost_det.analysis.timing`).
"""
import copy
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn

from ..deploy import can_relayout, deploy_model, drop_unused_layers, fold_norms
from ..deploy.ghostnet import relayout, resolve_layout
from ..models import GhostNet
from ..utils.env import environment
from ..utils.markdown import markdown_table
from .timing import DEPLOY, Record, peak_memory_mb, time_interleaved

DETECTOR_NAMES = {'retinanet': 'RetinaNet', 'faster-rcnn': 'Faster R-CNN'}
ENGINE = {'eager': 'pytorch', 'fold': 'pytorch', 'channels_last': 'pytorch',
          'onnxruntime': 'onnxruntime', 'openvino': 'openvino',
          'openvino_static': 'openvino'}
MODES = tuple(ENGINE)
EXPORTED = ('onnxruntime', 'openvino', 'openvino_static')
# part: ((H, W, warm-up, repeats), ...); detectors run end to end, batch 1
PARTS = {'backbone': ((224, 224, 5, 30), (800, 1344, 2, 10)),
         'detector': ((800, 1333, 1, 5), )}
QUICK = {'backbone': ((64, 64, 1, 2), ), 'detector': ((64, 96, 1, 2), )}


def labels(config: str) -> Tuple[str, str]:
    """(detector, backbone) of an mmdet-style config name:
    ``retinanet_ghostnet-1.1x_fpn_1x_coco.py`` gives ``('RetinaNet',
    'ghostnet-1.1x')``; a name without ``_`` is both."""
    det, sep, rest = Path(config).stem.partition('_')
    if not sep:
        return det, det
    return DETECTOR_NAMES.get(det, det), rest.split('_fpn')[0]


def build_detector(config: str) -> nn.Module:
    """The config's detector with random weights (mmdet's ``init_detector``),
    keeping every candidate box (score_thr 0) so that NMS works as on a
    trained model."""
    from mmdet.apis import init_detector
    from mmengine.config import Config
    cfg = Config.fromfile(config)
    test_cfg = cfg.model.test_cfg
    (test_cfg.rcnn if 'rcnn' in test_cfg else test_cfg).score_thr = 0.0
    return init_detector(cfg, palette='random', device='cpu')


def has_ghost(model: nn.Module) -> bool:
    return any(isinstance(m, GhostNet) for m in model.modules())


def rewritten(model: nn.Module, mode: str, layout: Optional[str],
              shape: Sequence[int]) -> nn.Module:
    """A copy of ``model`` with the generic rewrites of ``mode``; with a
    ``layout`` (``'default'``: its engine's at this input) the Ghost-family
    deploy too. A backbone keeps relaid outputs in their layout, as inside
    a detector whose FPN reads them."""
    model = drop_unused_layers(copy.deepcopy(model))
    model.eval()  # (mmdet's MobileNetV2.train returns None)
    if mode != 'eager':
        fold_norms(model)
    named = None if layout == 'default' else layout
    if layout and hasattr(model, 'extract_feat'):
        deploy_model(model, ENGINE[mode], named, shape[-2:])
    elif layout:
        relayout(model, resolve_layout(model, ENGINE[mode], named,
                                       shape[-2:]), gather_outputs=False)
    if mode == 'channels_last':
        model.to(memory_format=torch.channels_last)
    return model


def prepare(model: nn.Module, mode: str, layout: Optional[str], device: str,
            example: torch.Tensor,
            workdir: str) -> Callable[[torch.Tensor], object]:
    """A callable running the :func:`rewritten` model in ``mode``: exported
    modes run the backbone's ONNX graph, or the detector's end-to-end graph
    in :class:`~ghost_det.deploy.engine_detector.EngineDetector`;
    ``openvino_static`` compiles for the example's shape."""
    model = rewritten(model, mode, layout, example.shape)
    if mode not in EXPORTED:
        return model.to(device)
    path, threads = os.path.join(workdir, f'{id(model)}.onnx'), (
        torch.get_num_threads())
    if hasattr(model, 'extract_feat'):
        from ..deploy.engine_detector import EngineDetector
        return EngineDetector.exported(model, path, ENGINE[mode],
                                       example.shape[2:], threads)
    from ..deploy.engine_detector import engine_session
    from ..deploy.onnx_export import export_onnx
    export_onnx(model, path, tuple(example.shape))
    session = engine_session(path, ENGINE[mode], threads, tuple(
        example.shape) if mode == 'openvino_static' else None)
    kwargs = dict(copy=False) if ENGINE[mode] == 'openvino' else {}
    return lambda x: session.run(None, {'input': x.numpy()}, **kwargs)


def variants(models: Dict[str, nn.Module], mode: str,
             layouts: Sequence[str] = ()
             ) -> List[Tuple[str, str, Optional[str]]]:
    """(variant, model, deploy layout or None) measured in ``mode``: every
    model; outside eager, each Ghost-family model deployed (layout
    ``'default'``), and each relayable GhostNet in every one of
    ``layouts``."""
    out = [(name, name, None) for name in models]
    for name, model in models.items() if mode != 'eager' else ():
        if has_ghost(model):
            out.append((name + DEPLOY, name, 'default'))
            if can_relayout(getattr(model, 'backbone', model)):
                out += [(f'{name}{DEPLOY} {s}', name, s) for s in layouts]
    return out


def predict_call(model: nn.Module, image: torch.Tensor):
    """Whole-detector inference from mmdet's data-loader output: the data
    preprocessor, the network and post-processing."""
    from mmdet.structures import DetDataSample
    h, w = image.shape[-2:]
    meta = dict(img_shape=(h, w), ori_shape=(h, w), scale_factor=(1., 1.))
    return model.test_step(dict(
        inputs=list(image.to(torch.uint8)),
        data_samples=[DetDataSample(metainfo=meta) for _ in image]))


def measure_group(part: str, models: Dict[str, nn.Module],
                  modes: Sequence[str], example: torch.Tensor, threads: int,
                  device: str, layouts: Sequence[str], warmup: int,
                  repeats: int, log: Callable[[str], None]) -> List[Record]:
    """One interleaved timing group: every variant x mode at one input. A
    variant that fails to prepare is reported, not fatal."""
    records, calls = [], {}
    with tempfile.TemporaryDirectory() as workdir:
        for mode, (name, model, layout) in (
                (m, v) for m in modes for v in variants(models, m, layouts)):
            rec = Record(part, name, mode, tuple(example.shape), threads,
                         device)
            records.append(rec)
            start = time.perf_counter()
            try:
                fn = prepare(models[model], mode, layout, device, example,
                             workdir)
                x = example.to(device, memory_format=(
                    torch.channels_last if mode == 'channels_last'
                    else torch.preserve_format))
                run = (lambda f=fn, x=x: f(x)) if part == 'backbone' else (
                    lambda f=fn, x=x: predict_call(f, x))
                with torch.inference_mode():
                    run()  # export and compilation happen here
                    if mode not in EXPORTED:
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


def _groups(records: Sequence[Record]) -> Dict[tuple, List[Record]]:
    """Timed records by (part, input shape, threads), in run order."""
    groups: Dict[tuple, List[Record]] = {}
    for r in records:
        if r.times_ms:
            groups.setdefault((r.part, r.shape, r.threads), []).append(r)
    return groups


def _input(shape: Sequence[int]) -> str:
    return f'{shape[2]}x{shape[3]}' + (f' b{shape[0]}' if shape[0] > 1
                                       else '')


def mode_table(records: Sequence[Record]) -> str:
    """One group as model variant x mode: median ms per image; the widest
    min-max range of the row relative to its median; peak MB in eager."""
    (part, shape, threads), = {(r.part, r.shape, r.threads) for r in records}
    modes = list(dict.fromkeys(r.mode for r in records))
    rows = []
    for name in dict.fromkeys(r.variant for r in records):
        recs = {r.mode: r for r in records if r.variant == name}
        spread = max((max(r.times_ms) - min(r.times_ms)) / r.median_ms
                     for r in recs.values())
        peak = next((r.peak_mb for r in recs.values() if r.peak_mb), None)
        rows.append([name] + [f'{recs[m].median_ms / shape[0]:.2f}'
                              if m in recs else '-' for m in modes]
                    + [f'{spread:.0%}', '-' if peak is None else f'{peak:.0f}'])
    return (f'**{part}**, input {_input(shape)}, {threads} thread(s): ms per '
            f'image, median of {len(records[0].times_ms)} interleaved runs\n\n'
            + markdown_table(['model', *modes, 'min-max', 'peak MB'], rows))


def reference_model(records: Sequence[Record],
                    reference: Optional[str] = None) -> str:
    """``reference`` if given, else the first MobileNetV3 measured, else the
    first model."""
    names = list(dict.fromkeys(r.model for r in records))
    if reference and reference not in names:
        raise ValueError(f'reference {reference!r} was not measured; '
                         f'choose one of {", ".join(names)}')
    return reference or next(
        (n for n in names if 'mobilenetv3' in n.lower()), names[0])


def engine_rows(records: Sequence[Record], reference: str) -> List[list]:
    """Per group and engine (and the best engine), each model's fastest
    variant and mode in ms per image, and the reference's time over it
    (> 1: faster than the reference)."""
    rows = []
    for (part, shape, threads), recs in _groups(records).items():
        for engine in ('pytorch', 'onnxruntime', 'openvino', 'best engine'):
            fastest = {}
            for r in recs:
                if engine in ('best engine', ENGINE[r.mode.split()[0]]) and (
                        r.median_ms < fastest.get(r.model, r).median_ms
                        or r.model not in fastest):
                    fastest[r.model] = r
            ref = fastest.get(reference)
            for model, best in fastest.items() if ref else ():
                variant = best.variant[len(model):].strip() or 'generic'
                rows.append([part, _input(shape), threads, engine, model,
                             f'{best.median_ms / shape[0]:.2f} ({variant}, '
                             f'{best.mode})',
                             f'{ref.median_ms / best.median_ms:.2f}x'])
    return rows


def engine_table(records: Sequence[Record], reference: Optional[str],
                 env: dict) -> str:
    """:func:`engine_rows` as Markdown, ratios to :func:`reference_model`."""
    reference = reference_model(records, reference)
    return (f'**By engine**: each model in the fastest of its variants and '
            f'the engine\'s modes, ms per image; last, {reference}\'s time '
            f'over the model\'s (> 1: faster). Device: '
            f'{env.get("gpu", env["cpu"])}.\n\n'
            + markdown_table(['part', 'input', 'threads', 'engine', 'model',
                              'ms (variant, mode)', f'vs {reference}'],
                             engine_rows(records, reference)))


def device_line(env: dict) -> str:
    return (f'Device: {env.get("gpu", env["cpu"])} ({env["cpu_capability"]}, '
            f'{env["cores"]} cores); torch {env["torch"]}, onnxruntime '
            f'{env.get("onnxruntime", "-")}, openvino '
            f'{env.get("openvino", "-")}, mmdet {env["mmdet"]}, mmcv '
            f'{env["mmcv"]}.')


def run_benchmark(device: str, threads: Sequence[int], parts: Sequence[str],
                  modes: Sequence[str], configs: Sequence[str],
                  out_dir: str, layouts: Sequence[str] = (),
                  quick: bool = False, batch: int = 1,
                  reference: Optional[str] = None,
                  log: Callable[[str], None] = print) -> str:
    """Measure, log each group's table as it is done and the table by
    engine last; save the JSON and a plot under ``out_dir``; return the
    JSON's path."""
    env = environment(device)
    log(device_line(env))
    torch.manual_seed(0)
    groups: Dict[str, Dict[str, nn.Module]] = {}  # part -> name -> model
    for config in configs:
        det, backbone = labels(config)
        detector = build_detector(config)
        groups.setdefault('backbone', {}).setdefault(backbone,
                                                     detector.backbone)
        groups.setdefault(f'{det} inference', {})[backbone] = detector
    records: List[Record] = []
    start = time.time()
    for n in threads if device == 'cpu' else [torch.get_num_threads()]:
        torch.set_num_threads(n)
        for part, models in groups.items():
            kind = 'backbone' if part == 'backbone' else 'detector'
            for h, w, warmup, repeats in (QUICK if quick else PARTS)[kind] if (
                    kind in parts) else ():
                shape = (batch if kind == 'backbone' else 1, 3, h, w)
                log(f'\n[{time.time() - start:.0f}s] {part} {shape}, {n} '
                    'thread(s)...')
                example = torch.randn(*shape) if kind == 'backbone' else (
                    torch.rand(*shape) * 255)
                recs = measure_group(
                    part, models, [m for m in modes if kind == 'backbone' or
                                   m != 'openvino_static'], example, n,
                    device, layouts, warmup, repeats, log)
                records.extend(recs)
                if any(r.times_ms for r in recs):
                    log('\n' + mode_table([r for r in recs if r.times_ms]))
    os.makedirs(out_dir, exist_ok=True)
    base = os.path.join(out_dir, f'benchmark_{device}_'
                        f'{time.strftime("%Y%m%d_%H%M%S")}')
    with open(base + '.json', 'w') as f:
        json.dump(dict(environment=env, quick=quick, reference=reference,
                       records=[r.summary() for r in records]), f, indent=1)
    from .visualization import plot_benchmark
    plot_benchmark(records, base + '.png')
    log(f'\nwrote {base}.json and {base}.png ({time.time() - start:.0f}s '
        'in all)\n\n' + engine_table(records, reference, env))
    return base + '.json'


def markdown_report(path: str, reference: Optional[str] = None) -> str:
    """The tables of a saved run (``docs/benchmark*.json``) as Markdown:
    each group's model x mode table, then the table by engine."""
    with open(path) as f:
        saved = json.load(f)
    records = [Record.from_summary(r) for r in saved['records']]
    return '\n\n'.join(
        [device_line(saved['environment'])]
        + [mode_table(recs) for recs in _groups(records).values()]
        + [engine_table(records, reference or saved.get('reference'),
                        saved['environment'])])
