"""Speed and memory: GhostNet-1.1x (and 1.0x) against mmdet's MobileNetV2
1.0x and mmpretrain's MobileNetV3-Large 1.0x, in one process and one run.

    python tools/benchmark.py [--threads 1 all] [--device cpu|cuda]
        [--parts backbone throughput detector train] [--modes ...] [--quick]

Parts: backbone latency at batch 1 (224x224 and 800x1344), backbone
throughput at a larger batch (224x224), whole-detector inference per image
at 800x1333 with post-processing (RetinaNet and Faster R-CNN of the Table 8
configs), and the detectors' training step (forward, backward, SGD) at
batch 2. Modes, each applied to all backbones alike: eager, fold (BatchNorm
folded), channels_last (folded too), compile (folded, torch.compile with
inductor freezing; CUDA graphs on GPU), onnxruntime (backbones). GhostNet's
own exact rewrite, GhostNet.switch_to_deploy, is the variant
"GhostNet-1.1x deploy". Every model has random weights, and the
MobileNets do not run the last conv that no output uses. Writes JSON and a
plot under --out-dir; prints the ratio table last.
"""
import argparse
import copy
import json
import os
import sys
import time
from typing import Dict, List

import torch

import ghost_det  # noqa: F401  (registers GhostNet)
from ghost_det.benchmark import (
    BACKBONES,
    BASELINES,
    DEPLOY,
    DETECTORS,
    MAIN,
    MODES,
    Record,
    build_detector,
    default_pad_to,
    environment,
    measure_group,
    measure_training,
    op_profile,
    predict_call,
    ratio_rows,
)
from ghost_det.deploy import deploy_model, fold_norms


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='GhostNet vs MobileNetV2/V3 speed and memory',
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n\n', 1)[1])
    parser.add_argument('--device', choices=['cpu', 'cuda'],
                        default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--threads', nargs='+', default=['1', 'all'],
                        help='CPU thread counts to run, "all" = every core')
    parser.add_argument('--parts', nargs='+',
                        default=['backbone', 'throughput', 'detector',
                                 'train'],
                        choices=['backbone', 'throughput', 'detector',
                                 'train'])
    parser.add_argument('--modes', nargs='+', default=list(MODES),
                        choices=list(MODES))
    parser.add_argument('--backbones', nargs='+', default=list(BACKBONES),
                        choices=list(BACKBONES))
    parser.add_argument('--pad-to', type=int, default=None,
                        help='GhostNet deploy channel padding (default: 16 '
                        'for onnxruntime on CPU, else 8)')
    parser.add_argument('--batch', type=int, default=None,
                        help='throughput batch (default 16 CPU, 64 CUDA)')
    parser.add_argument('--sweep', action='store_true',
                        help='also GhostNet-1.1x deploy with pad_to 1, 8, '
                        '16, split or not (backbone parts)')
    parser.add_argument('--profile', action='store_true',
                        help='also print where the time goes, per operator '
                        'type, for GhostNet-1.1x deploy and the baselines '
                        '(backbone, batch 1, onnxruntime and channels_last)')
    parser.add_argument('--quick', action='store_true',
                        help='small inputs, 2 repeats: checks the tool runs')
    parser.add_argument('--report', metavar='JSON',
                        help='print the Markdown tables of a saved run '
                        '(as in the README) and exit')
    parser.add_argument('--out-dir', default='work_dirs/benchmark')
    return parser.parse_args()


def settings(args) -> Dict[str, dict]:
    """Input shape, warm-up and repeats of each part."""
    big = (64, 96) if args.quick else (800, 1344)
    det = (64, 96) if args.quick else (800, 1333)
    small = (32, 32) if args.quick else (224, 224)
    batch = args.batch or (64 if args.device == 'cuda' else 16)
    quick = dict(warmup=1, repeats=2)
    return {
        'backbone': [dict(shape=(1, 3, *small), warmup=5, repeats=30),
                     dict(shape=(1, 3, *big), warmup=2, repeats=10)],
        'throughput': [dict(shape=(2 if args.quick else batch, 3, *small),
                            warmup=2, repeats=10)],
        'detector': [dict(shape=(1, 3, *det), warmup=1, repeats=5)],
        'train': [dict(shape=(2, 3, *det), warmup=1, repeats=3)],
    } if not args.quick else {
        'backbone': [dict(shape=(1, 3, *small), **quick),
                     dict(shape=(1, 3, *big), **quick)],
        'throughput': [dict(shape=(2, 3, *small), **quick)],
        'detector': [dict(shape=(1, 3, *det), **quick)],
        'train': [dict(shape=(2, 3, *det), **quick)],
    }


def print_table(title: str, header: List[str], rows: List[List[str]]):
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    print(f'\n{title}')
    for row in [header, ['-' * w for w in widths], *rows]:
        print('  '.join(str(c).ljust(w) for c, w in zip(row, widths)))


def print_records(records: List[Record]) -> None:
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
    print_table(f'{r0.part}, input {tuple(r0.shape)}, {r0.threads} '
                f'thread(s), {r0.device}: median of {len(r0.times_ms)} '
                '(interleaved)',
                ['model', 'mode', 'median', 'min-max ms', 'peak MB',
                 'setup s'], rows)


def plot(records: List[Record], path: str) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    groups = {}
    for r in records:
        if r.times_ms and r.part == 'backbone':
            groups.setdefault((r.shape, r.threads), []).append(r)
    if not groups:
        return
    fig, axes = plt.subplots(1, len(groups), figsize=(6 * len(groups), 4.5),
                             squeeze=False)
    for ax, ((shape, threads), recs) in zip(axes[0], groups.items()):
        modes = [m for m in MODES if any(r.mode == m for r in recs)]
        names = list(dict.fromkeys(r.variant for r in recs))
        width = 0.8 / len(names)
        for i, name in enumerate(names):
            ys = [next((r.median_ms for r in recs if r.variant == name
                        and r.mode == m), 0) for m in modes]
            ax.bar([j + i * width for j in range(len(modes))], ys, width,
                   label=name)
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(modes))])
        ax.set_xticklabels(modes, rotation=20)
        ax.set_ylabel('ms per image (median)')
        ax.set_title(f'backbone {shape[2]}x{shape[3]}, batch 1, '
                     f'{threads} thread(s)')
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def print_profiles(backbones, shapes, device: str) -> None:
    """Per-op-type time of GhostNet-1.1x deploy and the baselines."""
    models = {f'{MAIN}{DEPLOY}': (backbones[MAIN], True)}
    models.update({b: (backbones[b], False) for b in BASELINES})
    for mode in ('onnxruntime', 'channels_last'):
        for s in shapes:
            profiles = {}
            for name, (model, ghost) in models.items():
                model = fold_norms(copy.deepcopy(model))
                if ghost:
                    deploy_model(model, default_pad_to(mode, device))
                if mode == 'channels_last':
                    model.to(memory_format=torch.channels_last)
                profiles[name] = op_profile(model, torch.randn(*s['shape']),
                                            mode)
            ops = sorted({op for p in profiles.values() for op in p},
                         key=lambda op: -max(p.get(op, 0)
                                             for p in profiles.values()))
            rows = [[op] + [f'{p.get(op, 0):.2f}' for p in profiles.values()]
                    for op in ops[:12]]
            rows.append(['total'] + [f'{sum(p.values()):.2f}'
                                     for p in profiles.values()])
            print_table(f'where the time goes: ms per image by operator, '
                        f'{mode}, input {s["shape"]}, '
                        f'{torch.get_num_threads()} thread(s) (profiled '
                        f'runs are slower than timed ones)',
                        ['operator', *profiles], rows)


def markdown_report(path: str) -> None:
    """Median per variant and mode, per part, input and threads; then the
    ratio table, as Markdown."""
    with open(path) as f:
        saved = json.load(f)
    records = []
    for r in saved['records']:
        r = {k: v for k, v in r.items()
             if k not in ('median_ms', 'min_ms', 'max_ms')}
        r['shape'] = tuple(r['shape'])
        records.append(Record(**r))
    env = saved['environment']
    print(f'Device: {env.get("gpu", env["cpu"])} ({env["cpu_capability"]}, '
          f'{env["cores"]} cores); torch {env["torch"]}, onnxruntime '
          f'{env.get("onnxruntime", "-")}, mmdet {env["mmdet"]}, mmcv '
          f'{env["mmcv"]}. Milliseconds per image, median (min-max in the '
          f'JSON).\n')
    groups: Dict[tuple, List[Record]] = {}
    for r in records:
        if r.times_ms:
            groups.setdefault((r.part, r.shape, r.threads), []).append(r)
    for (part, shape, threads), recs in groups.items():
        modes = [m for m in dict.fromkeys(r.mode for r in recs)]
        names = list(dict.fromkeys(r.variant for r in recs))
        print(f'**{part}**, input {shape[2]}x{shape[3]}, batch {shape[0]}, '
              f'{threads} thread(s)\n')
        print('| model | ' + ' | '.join(modes) + ' |')
        print('|---|' + '---|' * len(modes))
        for name in names:
            cells = []
            for m in modes:
                r = next((r for r in recs if r.variant == name
                          and r.mode == m), None)
                cells.append('-' if r is None else
                             f'{r.median_ms / shape[0]:.2f}')
            print(f'| {name} | ' + ' | '.join(cells) + ' |')
        print()
    print(f'**{MAIN} speed relative to the baselines** (> 1: GhostNet '
          f'faster)\n')
    print('| part | input | threads | mode | GhostNet variant | '
          + ' | '.join(f'vs {b}' for b in BASELINES) + ' |')
    print('|---|---|---|---|---|' + '---|' * len(BASELINES))
    for row in ratio_rows(records):
        print('| ' + ' | '.join(row) + ' |')


def main() -> int:
    args = parse_args()
    if args.report:
        markdown_report(args.report)
        return 0
    if args.device == 'cuda' and not torch.cuda.is_available():
        raise SystemExit('error: --device cuda but torch sees no GPU')
    if MAIN not in args.backbones or not set(BASELINES) <= set(
            args.backbones):
        raise SystemExit(f'error: --backbones must include {MAIN} and '
                         f'{", ".join(BASELINES)} (the ratio table)')
    pad_to = args.pad_to
    if args.device == 'cuda' and 'onnxruntime' in args.modes:
        print('note: onnxruntime runs on the CPU (the CPU build is '
              'installed); left out of the CUDA run')
        args.modes = [m for m in args.modes if m != 'onnxruntime']
    cores = os.cpu_count() or 1
    threads = sorted({cores if t == 'all' else int(t) for t in args.threads})
    env = environment(args.device)
    print('environment: ' + ', '.join(f'{k} {v}' for k, v in env.items()))
    detector_backbones = [b for b in args.backbones if b != 'GhostNet-1.0x']
    cfg = settings(args)
    records: List[Record] = []
    start = time.time()
    torch.manual_seed(0)
    backbones = {b: build_detector(b).backbone for b in args.backbones}
    for n in threads if args.device == 'cpu' else [torch.get_num_threads()]:
        torch.set_num_threads(n)
        for part in ('backbone', 'throughput'):
            if part not in args.parts:
                continue
            for s in cfg[part]:
                print(f'\n[{time.time() - start:.0f}s] {part} {s["shape"]}, '
                      f'{n} thread(s)...', flush=True)
                recs = measure_group(
                    part, backbones, args.backbones, args.modes,
                    torch.randn(*s['shape']), n, args.device, pad_to,
                    s['warmup'], s['repeats'], print, sweep=args.sweep)
                print_records(recs)
                records += recs
        for det in DETECTORS:
            if not {'detector', 'train'} & set(args.parts):
                break
            models = {b: build_detector(b, det) for b in detector_backbones}
            image = torch.rand(*cfg['detector'][0]['shape']) * 255
            if 'detector' in args.parts:
                s = cfg['detector'][0]
                print(f'\n[{time.time() - start:.0f}s] {det} inference '
                      f'{s["shape"]}, {n} thread(s)...', flush=True)
                recs = measure_group(
                    f'{det} inference', models, detector_backbones,
                    [m for m in args.modes if m in ('eager', 'fold',
                                                    'channels_last')],
                    image, n, args.device, pad_to, s['warmup'],
                    s['repeats'], print, call=predict_call)
                print_records(recs)
                records += recs
            if 'train' in args.parts:
                s = cfg['train'][0]
                print(f'\n[{time.time() - start:.0f}s] {det} training step '
                      f'{s["shape"]}, {n} thread(s)...', flush=True)
                recs = measure_training(
                    models, torch.rand(*s['shape']) * 255, n, args.device,
                    s['warmup'], s['repeats'], f'{det} train step')
                print_records(recs)
                records += recs
    if args.profile:
        torch.set_num_threads(threads[0])
        print_profiles(backbones, cfg['backbone'], args.device)
    os.makedirs(args.out_dir, exist_ok=True)
    stamp = time.strftime('%Y%m%d_%H%M%S')
    base = os.path.join(args.out_dir, f'benchmark_{args.device}_{stamp}')
    with open(base + '.json', 'w') as f:
        json.dump(dict(environment=env, pad_to=pad_to or 'default', quick=args.quick,
                       records=[r.summary() for r in records]), f, indent=1)
    plot(records, base + '.png')
    print(f'\nwrote {base}.json and {base}.png '
          f'({time.time() - start:.0f}s in all)')
    print_table(
        f'{MAIN} speed relative to the baselines (> 1: GhostNet faster; '
        f'median time ratio). GhostNet runs its deploy variant where the '
        f'mode allows. Device: {env.get("gpu", env["cpu"])}.',
        ['part', 'input', 'threads', 'mode', 'GhostNet variant',
         *[f'vs {b}' for b in BASELINES]], ratio_rows(records))
    return 0


if __name__ == '__main__':
    sys.exit(main())
