"""Pictures: predictions beside ground truth, the Table 8 plot, the benchmark plot."""
import statistics
from pathlib import Path
from typing import Dict, List

import numpy as np
import torch


def save_prediction_grid(runner, out_file, num_images: int = 8,
                         score_thr: float = 0.3, columns: int = 4,
                         max_tile_width: int = 1280) -> Path:
    """Predict the first ``num_images`` of the runner's test set and save
    them, ground truth left and predictions right, as one PNG (tiles wider
    than ``max_tile_width`` scaled down)."""
    import mmcv
    from mmdet.visualization import DetLocalVisualizer
    from PIL import Image

    dataloader = runner.test_dataloader
    dataset = dataloader.dataset
    vis = DetLocalVisualizer(name=f'ghost_det_grid_{id(runner)}')
    vis.dataset_meta = dataset.metainfo
    model = runner.model
    model.eval()
    tiles = []
    for data in dataloader:
        with torch.no_grad():
            samples = [s.cpu() for s in model.test_step(data)]
        for sample in samples:
            image = mmcv.imread(sample.img_path, channel_order='rgb')
            vis.add_datasample('pred', image, sample, draw_gt=True,
                               draw_pred=True, pred_score_thr=score_thr,
                               show=False)
            tile = Image.fromarray(vis.get_image())
            if tile.width > max_tile_width:
                tile = tile.resize((max_tile_width, round(
                    tile.height * max_tile_width / tile.width)))
            tiles.append(np.asarray(tile))
            if len(tiles) == num_images:
                break
        if len(tiles) == num_images:
            break
    h, w = tiles[0].shape[:2]
    rows = -(-len(tiles) // columns)
    grid = np.full((rows * h, columns * w, 3), 255, np.uint8)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, columns)
        grid[r * h:r * h + tile.shape[0], c * w:c * w + tile.shape[1]] = tile
    out_file = Path(out_file)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(grid).save(out_file)
    return out_file

def _pyplot():
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt


def plot_table8(rows: List[Dict], out: Path) -> None:
    """mAP against backbone FLOPs: COCO runs beside the paper's points;
    runs on other data alone (the paper's COCO figures do not apply)."""
    plt = _pyplot()
    from .table8 import PAPER_TABLE8
    fig, ax = plt.subplots(figsize=(6, 4.5))
    colours = {'RetinaNet': 'tab:blue', 'Faster R-CNN': 'tab:orange'}
    measured = [r for r in rows if r['runs']]
    on_coco = [r for r in measured if r['paper_map'] != '-']
    shown = on_coco or measured
    if on_coco or not measured:
        for (backbone, framework), (mflops, m_ap) in PAPER_TABLE8.items():
            ax.scatter(mflops, m_ap, facecolors='none',
                       edgecolors=colours[framework], s=60)
            ax.annotate(backbone.split()[0], (mflops, m_ap), fontsize=7,
                        xytext=(4, 4), textcoords='offset points')
        for framework, colour in colours.items():
            ax.scatter([], [], facecolors='none', edgecolors=colour,
                       label=f'{framework} (paper)')
        ax.set_title('GhostNet paper Table 8')
    else:
        ax.set_title(f"measured on {measured[0]['data']}")
    for r in shown:
        maps = [100 * run['bbox_mAP'] for run in r['runs']]
        std = statistics.stdev(maps) if len(maps) > 1 else 0.0
        colour = colours.get(r['framework'], 'k')
        scratch = r.get('init', 'scratch') == 'scratch'
        ax.errorbar(r['mflops'], statistics.mean(maps), yerr=std,
                    fmt='o' if scratch else 's', color=colour, capsize=3,
                    mfc=colour if scratch else 'white')
        label = r['backbone'] + ('' if scratch else f" ({r['init']})")
        ax.annotate(label, (r['mflops'], statistics.mean(maps)),
                    fontsize=7, xytext=(4, -10), textcoords='offset points')
    for framework in sorted({r['framework'] for r in shown}):
        ax.scatter([], [], color=colours.get(framework, 'k'),
                   label=f'{framework} (ours)')
    ax.set_xlabel('backbone MFLOPs (224x224)')
    ax.set_ylabel('bbox mAP (%)')
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=120)


def plot_benchmark(records: List, path: str) -> None:
    """Backbone medians per mode, one panel per input size and threads."""
    plt = _pyplot()
    groups = {}
    for r in records:
        if r.times_ms and r.part == 'backbone':
            groups.setdefault((r.shape, r.threads), []).append(r)
    if not groups:
        return
    fig, axes = plt.subplots(1, len(groups), figsize=(6 * len(groups), 4.5),
                             squeeze=False)
    for ax, ((shape, threads), recs) in zip(axes[0], groups.items()):
        modes = list(dict.fromkeys(r.mode for r in recs))  # run order
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
