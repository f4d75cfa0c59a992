"""A whole benchmark run (every part, thread count and mode), its tables,
its JSON and plot, and the Markdown report of a saved run."""
import copy
import json
import os
import time
from typing import Dict, List, Optional, Sequence

import torch

from ..deploy import GhostLayout, fold_norms, relayout
from ..utils.env import environment
from ..utils.markdown import markdown_table
from .benchmark import (
    BASELINES,
    DEPLOY,
    DETECTORS,
    ENGINE_HEADER,
    FAMILY_HEADER,
    MAIN,
    Record,
    build_detector,
    engine_rows,
    family_rows,
    ghost_layout,
    measure_group,
    measure_training,
    op_profile,
    predict_call,
    ratio_rows,
)
from .visualization import plot_benchmark

PARTS = ('backbone', 'throughput', 'detector', 'train')
RATIO_HEADER = ['part', 'input', 'threads', 'mode', 'GhostNet variant',
                *[f'vs {b}' for b in BASELINES]]


def settings(device: str, quick: bool = False,
             batch: Optional[int] = None) -> Dict[str, List[dict]]:
    """Input shape, warm-up and repeats of each part."""
    if quick:
        q = dict(warmup=1, repeats=2)
        # 64: GhostNetV2/V3's attention pools the stride-32 maps 2x2
        return {'backbone': [dict(shape=(1, 3, 64, 64), **q),
                             dict(shape=(1, 3, 64, 96), **q)],
                'throughput': [dict(shape=(2, 3, 64, 64), **q)],
                'detector': [dict(shape=(1, 3, 64, 96), **q)],
                'train': [dict(shape=(2, 3, 64, 96), **q)]}
    batch = batch or (64 if device == 'cuda' else 16)
    return {'backbone': [dict(shape=(1, 3, 224, 224), warmup=5, repeats=30),
                         dict(shape=(1, 3, 800, 1344), warmup=2, repeats=10)],
            'throughput': [dict(shape=(batch, 3, 224, 224), warmup=2,
                                repeats=10)],
            'detector': [dict(shape=(1, 3, 800, 1333), warmup=1, repeats=5)],
            'train': [dict(shape=(2, 3, 800, 1333), warmup=1, repeats=3)]}


def records_table(records: List[Record]) -> str:
    """One timing group: median, range, peak memory and setup time."""
    rows = []
    for r in records:
        if r.error:
            rows.append([r.variant, r.mode, 'skipped: ' + r.error[:60], '',
                         '', ''])
            continue
        per_image = r.median_ms / r.shape[0]
        rate = (f'{1e3 / per_image:.1f} img/s' if r.shape[0] > 1
                else f'{r.median_ms:.2f} ms')
        rows.append([r.variant, r.mode, rate,
                     f'{min(r.times_ms):.2f}-{max(r.times_ms):.2f}',
                     '-' if r.peak_mb is None else f'{r.peak_mb:.0f}',
                     f'{r.setup_s:.1f}'])
    r0 = records[0]
    return (f'{r0.part}, input {tuple(r0.shape)}, {r0.threads} thread(s), '
            f'{r0.device}: median of {len(r0.times_ms)} (interleaved)\n\n'
            + markdown_table(['model', 'mode', 'median', 'min-max ms',
                              'peak MB', 'setup s'], rows))


def profile_tables(backbones: Dict[str, torch.nn.Module],
                   shapes: Sequence[dict], device: str,
                   trace_dir: Optional[str] = None) -> List[str]:
    """Per-op-type time of GhostNet-1.1x deploy and the baselines, in
    ONNX Runtime, OpenVINO (static shape) and eager channels_last."""
    models = {f'{MAIN}{DEPLOY}': (backbones[MAIN], True)}
    models.update({b: (backbones[b], False) for b in BASELINES})
    tables = []
    for mode in ('onnxruntime', 'openvino_static', 'channels_last'):
        for s in shapes:
            profiles = {}
            for name, (model, ghost) in models.items():
                model = fold_norms(copy.deepcopy(model))
                if ghost:
                    relayout(model, GhostLayout.parse(ghost_layout(
                        mode, s['shape'])), gather_outputs=False)
                if mode == 'channels_last':
                    model.to(memory_format=torch.channels_last)
                profiles[name] = op_profile(model, torch.randn(*s['shape']),
                                            mode, trace_dir=trace_dir)
            ops = sorted({op for p in profiles.values() for op in p},
                         key=lambda op: -max(p.get(op, 0)
                                             for p in profiles.values()))
            rows = [[op] + [f'{p.get(op, 0):.2f}' for p in profiles.values()]
                    for op in ops[:12]]
            rows.append(['total'] + [f'{sum(p.values()):.2f}'
                                     for p in profiles.values()])
            tables.append(
                f'where the time goes: ms per image by operator, {mode}, '
                f'input {s["shape"]}, {torch.get_num_threads()} thread(s) '
                '(profiled runs are slower than timed ones)\n\n'
                + markdown_table(['operator', *profiles], rows))
    return tables


def run_benchmark(device: str, threads: Sequence[int], parts: Sequence[str],
                  modes: Sequence[str], backbones: Sequence[str],
                  layout: Optional[str], out_dir: str, quick: bool = False,
                  batch: Optional[int] = None, sweep: bool = False,
                  profile: bool = False, log=print) -> str:
    """Measure, log each table as it is done, save JSON and plot under
    ``out_dir`` (ONNX Runtime profiles too); returns the JSON's path.
    The ratio table is logged last."""
    env = environment(device)
    log('environment: ' + ', '.join(f'{k} {v}' for k, v in env.items()))
    detector_backbones = [b for b in backbones if b != 'GhostNet-1.0x']
    cfg = settings(device, quick, batch)
    records: List[Record] = []
    start = time.time()
    torch.manual_seed(0)
    models = {b: build_detector(b).backbone for b in backbones}

    def measured(recs: List[Record]) -> None:
        log('\n' + records_table(recs))
        records.extend(recs)

    for n in threads if device == 'cpu' else [torch.get_num_threads()]:
        torch.set_num_threads(n)
        for part in ('backbone', 'throughput'):
            for s in cfg[part] if part in parts else []:
                log(f'\n[{time.time() - start:.0f}s] {part} {s["shape"]}, '
                    f'{n} thread(s)...')
                measured(measure_group(
                    part, models, backbones, modes, torch.randn(*s['shape']),
                    n, device, layout, s['warmup'], s['repeats'], log,
                    sweep=sweep))
        for det in DETECTORS if {'detector', 'train'} & set(parts) else []:
            detectors = {b: build_detector(b, det) for b in detector_backbones}
            if 'detector' in parts:
                s = cfg['detector'][0]
                log(f'\n[{time.time() - start:.0f}s] {det} inference '
                    f'{s["shape"]}, {n} thread(s)...')
                measured(measure_group(
                    f'{det} inference', detectors, detector_backbones,
                    [m for m in modes if m in ('eager', 'fold',
                                               'channels_last', 'onnxruntime',
                                               'openvino')],
                    torch.rand(*s['shape']) * 255, n, device, layout,
                    s['warmup'], s['repeats'], log, call=predict_call))
            if 'train' in parts:
                s = cfg['train'][0]
                log(f'\n[{time.time() - start:.0f}s] {det} training step '
                    f'{s["shape"]}, {n} thread(s)...')
                measured(measure_training(
                    detectors, torch.rand(*s['shape']) * 255, n, device,
                    s['warmup'], s['repeats'], f'{det} train step'))
    os.makedirs(out_dir, exist_ok=True)
    base = os.path.join(out_dir, f'benchmark_{device}_'
                        f'{time.strftime("%Y%m%d_%H%M%S")}')
    if profile:
        torch.set_num_threads(threads[0])
        for table in profile_tables(models, cfg['backbone'], device,
                                    trace_dir=base + '_profiles'):
            log('\n' + table)
    with open(base + '.json', 'w') as f:
        json.dump(dict(environment=env, layout=layout or 'default',
                       quick=quick, records=[r.summary() for r in records]),
                  f, indent=1)
    plot_benchmark(records, base + '.png')
    log(f'\nwrote {base}.json and {base}.png '
        f'({time.time() - start:.0f}s in all)')
    log(f'\n{MAIN} speed relative to the baselines (> 1: GhostNet faster; '
        'median time ratio). GhostNet runs its deploy variant where the '
        f'mode allows. Device: {env.get("gpu", env["cpu"])}.\n\n'
        + markdown_table(RATIO_HEADER, ratio_rows(records)))
    by_engine, family = engine_rows(records), family_rows(records)
    log(f'\nBy engine: the fastest variant and mode of each model, ms per '
        f'call; ratios last (> 1: {MAIN} faster). Device: '
        f'{env.get("gpu", env["cpu"])}.\n\n'
        + markdown_table(ENGINE_HEADER, by_engine))
    if len(family) > len(by_engine):
        log('\nThe Ghost family by engine: each model\'s fastest variant '
            'and mode, ms per call, and its speed relative to the baselines '
            f'in the same engine (> 1: faster). Device: '
            f'{env.get("gpu", env["cpu"])}.\n\n'
            + markdown_table(FAMILY_HEADER, family))
    return base + '.json'


def load_records(path: str) -> tuple:
    """(environment, records) of a saved run."""
    with open(path) as f:
        saved = json.load(f)
    records = []
    for r in saved['records']:
        r = {k: v for k, v in r.items()
             if k not in ('median_ms', 'min_ms', 'max_ms')}
        r['shape'] = tuple(r['shape'])
        records.append(Record(**r))
    return saved['environment'], records


def markdown_report(path: str) -> str:
    """Median per variant and mode, per part, input and threads; then the
    ratio table, as Markdown (the tables of docs/deploy_and_benchmark.md)."""
    env, records = load_records(path)
    out = [f'Device: {env.get("gpu", env["cpu"])} ({env["cpu_capability"]}, '
           f'{env["cores"]} cores); torch {env["torch"]}, onnxruntime '
           f'{env.get("onnxruntime", "-")}, openvino '
           f'{env.get("openvino", "-")}, mmdet {env["mmdet"]}, mmcv '
           f'{env["mmcv"]}. Milliseconds per image, median (min-max in the '
           'JSON).']
    groups: Dict[tuple, List[Record]] = {}
    for r in records:
        if r.times_ms:
            groups.setdefault((r.part, r.shape, r.threads), []).append(r)
    for (part, shape, threads), recs in groups.items():
        modes = list(dict.fromkeys(r.mode for r in recs))
        rows = []
        for name in dict.fromkeys(r.variant for r in recs):
            cells = []
            for m in modes:
                r = next((r for r in recs if r.variant == name
                          and r.mode == m), None)
                cells.append('-' if r is None else
                             f'{r.median_ms / shape[0]:.2f}')
            rows.append([name, *cells])
        out.append(f'**{part}**, input {shape[2]}x{shape[3]}, batch '
                   f'{shape[0]}, {threads} thread(s)\n\n'
                   + markdown_table(['model', *modes], rows))
    out.append(f'**{MAIN} speed relative to the baselines** (> 1: GhostNet '
               'faster)\n\n' + markdown_table(RATIO_HEADER,
                                              ratio_rows(records)))
    by_engine, family = engine_rows(records), family_rows(records)
    out.append(f'**By engine** (ms per call; > 1: {MAIN} faster)\n\n'
               + markdown_table(ENGINE_HEADER, by_engine))
    if len(family) > len(by_engine):  # more than GhostNet's own rows
        out.append('**The Ghost family by engine** (ms per call; > 1: '
                   'faster than the baseline)\n\n'
                   + markdown_table(FAMILY_HEADER, family))
    return '\n\n'.join(out)
