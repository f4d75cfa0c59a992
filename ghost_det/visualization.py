"""Draw a detector's predictions on validation images into one picture."""
from pathlib import Path

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
