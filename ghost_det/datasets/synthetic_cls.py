"""A deterministic synthetic classification dataset: the demo's pretraining
task, which differs from its detection task as ImageNet differs from COCO.

One object per crop of 64-96 px, filling most of it; 40 classes, each a
shape (the detection demo's ten) in a texture (solid, stripes, checker,
dots), in random colours, rotation and scale, on textured backgrounds.
Written in mmpretrain's folder layout (``train/<class>/<n>.png``,
``val/<class>/<n>.png``) for its ``CustomDataset``. Everything follows from
``seed``: the same options give the same bytes.
"""
import dataclasses
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Tuple

import numpy as np
from PIL import Image, ImageDraw

from .synthetic_coco import SHAPES, _background, _shape_polygon

TEXTURES = ('solid', 'stripes', 'checker', 'dots')
# numbered, so that the folders sort in class order (mmpretrain's
# CustomDataset labels folders by their sorted names)
CLS_CLASSES = tuple(f'{i:02d}_{s}_{t}' for i, (s, t) in enumerate(
    (s, t) for s in SHAPES for t in TEXTURES))


@dataclass(frozen=True)
class SyntheticClsConfig:
    """Size of the generated classification dataset."""
    train_per_class: int = 60
    val_per_class: int = 15
    min_size: int = 64  # crop side in pixels
    max_size: int = 96
    seed: int = 0


def _texture(rng: np.random.RandomState, texture: int, w: int,
             h: int) -> Image.Image:
    """A ``w`` x ``h`` fill in ``TEXTURES[texture]``, two random colours."""
    fg, bg = (tuple(int(c) for c in rng.uniform(0, 255, 3))
              for _ in range(2))
    if texture == 0:
        return Image.new('RGB', (w, h), fg)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    period = rng.uniform(5, 10)
    if texture == 1:
        angle = rng.uniform(0, math.pi)
        on = np.sin(2 * math.pi / period * (
            xx * math.cos(angle) + yy * math.sin(angle))) > 0
    elif texture == 2:
        on = ((xx // period).astype(int) + (yy // period).astype(int)) % 2 == 0
    else:
        on = ((xx % period - period / 2) ** 2 + (yy % period - period / 2)
              ** 2) < (period / 3) ** 2
    return Image.fromarray(np.where(on[..., None], np.array(fg, np.uint8),
                                    np.array(bg, np.uint8)))


def make_crop(split: str, index: int,
              cfg: SyntheticClsConfig) -> Tuple[Image.Image, int]:
    """Crop ``index`` of ``split`` and its class (``index`` mod 40)."""
    rng = np.random.RandomState(
        (cfg.seed * 7919 + index * 2 + (split == 'val')) % 2**32)
    label = index % len(CLS_CLASSES)
    shape, texture = divmod(label, len(TEXTURES))
    w, h = (rng.randint(cfg.min_size, cfg.max_size + 1) for _ in range(2))
    img = _background(rng, w, h)
    size = min(w, h) * rng.uniform(0.55, 0.9)
    cx = w / 2 + rng.uniform(-0.1, 0.1) * w
    cy = h / 2 + rng.uniform(-0.1, 0.1) * h
    mask = Image.new('L', (w, h), 0)
    outline = _shape_polygon(shape, cx, cy, size, rng.uniform(0, 2 * math.pi))
    if outline is None:
        ImageDraw.Draw(mask).ellipse(
            [cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2],
            fill=255)
    else:
        ImageDraw.Draw(mask).polygon(outline, fill=255)
    img.paste(_texture(rng, texture, w, h), mask=mask)
    return img, label


def make_synthetic_cls(root, cfg: SyntheticClsConfig = SyntheticClsConfig()
                       ) -> Path:
    """Write the dataset under ``root`` (mmpretrain's folder layout) with
    ``generator.json`` recording ``cfg``; returns ``root``."""
    root = Path(root)
    for split, per_class in (('train', cfg.train_per_class),
                             ('val', cfg.val_per_class)):
        for name in CLS_CLASSES:
            (root / split / name).mkdir(parents=True, exist_ok=True)
        for index in range(per_class * len(CLS_CLASSES)):
            img, label = make_crop(split, index, cfg)
            img.save(root / split / CLS_CLASSES[label] / f'{index:06d}.png')
    (root / 'generator.json').write_text(json.dumps(dataclasses.asdict(cfg)))
    return root


def ensure_synthetic_cls(root, cfg: SyntheticClsConfig = SyntheticClsConfig(),
                         force: bool = False) -> bool:
    """Generate unless ``root`` already holds this dataset; True if made."""
    stamp = Path(root) / 'generator.json'
    if (not force and stamp.is_file()
            and json.loads(stamp.read_text()) == dataclasses.asdict(cfg)):
        return False
    start = time.time()
    n = (cfg.train_per_class + cfg.val_per_class) * len(CLS_CLASSES)
    print(f'making synthetic classification dataset in {root} ({n} crops, '
          f'{len(CLS_CLASSES)} classes) ...', flush=True)
    make_synthetic_cls(root, cfg)
    print(f'done in {time.time() - start:.1f}s')
    return True
