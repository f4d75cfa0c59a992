"""A deterministic synthetic COCO-format detection dataset for demos/tests.

Shapes of four classes, random colours and rotations, sizes from small to
large (COCO's area ranges), partial overlaps, textured backgrounds and some
images without objects. Everything follows from ``seed``.
"""
import dataclasses
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

CLASSES = ('circle', 'square', 'triangle', 'cross')


@dataclass
class SyntheticCocoConfig:
    """Size and difficulty of the generated dataset."""
    num_train: int = 600
    num_val: int = 150
    image_size: Tuple[int, int] = (256, 256)  # (width, height)
    max_objects: int = 5
    min_size: int = 14  # object side in pixels
    max_size: int = 150
    empty_fraction: float = 0.08
    max_overlap: float = 0.3  # share of the smaller object another may cover
    seed: int = 0


def _background(rng: np.random.RandomState, w: int, h: int) -> Image.Image:
    """Gradient + stripes/blobs + noise: never a flat colour."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = rng.uniform(40, 215, 3)
    tilt = rng.uniform(-0.3, 0.3, (2, 3))
    img = base + xx[..., None] * tilt[0] + yy[..., None] * tilt[1]
    freq, phase = rng.uniform(0.03, 0.25), rng.uniform(0, 2 * math.pi)
    angle = rng.uniform(0, math.pi)
    stripes = np.sin(freq * (xx * math.cos(angle) + yy * math.sin(angle))
                     + phase)
    img += stripes[..., None] * rng.uniform(5, 30, 3)
    img += rng.normal(0, rng.uniform(3, 12), (h, w, 3))
    pil = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(pil)
    for _ in range(rng.randint(0, 6)):  # soft distractor blobs
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(5, 40)
        colour = tuple(int(c) for c in rng.uniform(0, 255, 3))
        flat = rng.uniform(0.15, 0.4)  # elongated: never circle-like
        draw.ellipse([cx - r, cy - r * flat, cx + r, cy + r * flat],
                     fill=colour)
    return pil.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 2.5)))


def _shape_polygon(label: int, cx: float, cy: float, size: float,
                   angle: float) -> Optional[List[Tuple[float, float]]]:
    """Outline of a square/triangle/cross (None for a circle)."""
    r = size / 2
    if label == 0:
        return None
    if label == 1:
        r *= 0.8  # a square of the same visual size as the circle
        pts = [(-r, -r), (r, -r), (r, r), (-r, r)]
    elif label == 2:
        pts = [(r * math.cos(a), r * math.sin(a))
               for a in (-math.pi / 2, math.pi / 6, 5 * math.pi / 6)]
    else:
        t = r / 3
        pts = [(-t, -r), (t, -r), (t, -t), (r, -t), (r, t), (t, t), (t, r),
               (-t, r), (-t, t), (-r, t), (-r, -t), (-t, -t)]
    ca, sa = math.cos(angle), math.sin(angle)
    return [(cx + x * ca - y * sa, cy + x * sa + y * ca) for x, y in pts]


def _overlap(a: List[float], b: List[float]) -> float:
    """Intersection over the smaller box's area (0: apart, 1: inside)."""
    ix = max(0., min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0., min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    return ix * iy / min(a[2] * a[3], b[2] * b[3])


def _draw_object(img: Image.Image, rng: np.random.RandomState, label: int,
                 cx: float, cy: float, size: float) -> Tuple[List[float],
                                                              int]:
    """Draw one object; return its tight box [x, y, w, h] and pixel area."""
    w, h = img.size
    mask = Image.new('L', (w, h), 0)
    angle = rng.uniform(0, 2 * math.pi) if label != 0 else 0.
    poly = _shape_polygon(label, cx, cy, size, angle)
    mdraw = ImageDraw.Draw(mask)
    if poly is None:
        r = size / 2
        mdraw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=255)
    else:
        mdraw.polygon(poly, fill=255)
    # a colour that stands out from the background under the object
    under = np.asarray(img)[np.asarray(mask) > 127].mean(0)
    for _ in range(20):
        colour = rng.uniform(0, 255, 3)
        if np.abs(colour - under).sum() > 120:
            break
    shade = np.clip(colour + rng.normal(0, 8, (h, w, 3)), 0, 255)
    img.paste(Image.fromarray(shade.astype(np.uint8)), (0, 0), mask)
    m = np.asarray(mask) > 127
    ys, xs = np.nonzero(m)
    x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    return [float(x0), float(y0), float(x1 - x0), float(y1 - y0)], int(m.sum())


def make_image(index: int, cfg: SyntheticCocoConfig,
               split_seed: int) -> Tuple[Image.Image, List[Dict]]:
    """One image and its objects (``bbox``, ``area``, ``category_id``)."""
    rng = np.random.RandomState((cfg.seed * 1_000_003 + split_seed * 7919
                                 + index) % 2**32)
    w, h = cfg.image_size
    img = _background(rng, w, h)
    objects: List[Dict] = []
    if rng.rand() < cfg.empty_fraction:
        return img, objects
    target = rng.randint(1, cfg.max_objects + 1)
    for _ in range(target * 10):
        if len(objects) == target:
            break
        # log-uniform sizes: as many small as large objects
        size = math.exp(rng.uniform(math.log(cfg.min_size),
                                    math.log(min(cfg.max_size, w, h))))
        cx = rng.uniform(size / 2, w - size / 2)
        cy = rng.uniform(size / 2, h - size / 2)
        box = [cx - size / 2, cy - size / 2, size, size]
        if any(_overlap(box, o['_box']) > cfg.max_overlap
               for o in objects):
            continue
        label = int(rng.randint(len(CLASSES)))
        bbox, area = _draw_object(img, rng, label, cx, cy, size)
        objects.append(dict(_box=box, bbox=bbox, area=area,
                            category_id=label + 1))
    for o in objects:
        del o['_box']
    return img, objects


def write_split(root: Path, split: str, num_images: int,
                cfg: SyntheticCocoConfig, split_seed: int) -> Path:
    """Write ``root/split/*.jpg`` and ``root/annotations/instances_split``."""
    (root / split).mkdir(parents=True, exist_ok=True)
    (root / 'annotations').mkdir(parents=True, exist_ok=True)
    images, annotations = [], []
    for i in range(num_images):
        img, objects = make_image(i, cfg, split_seed)
        name = f'{i:06d}.jpg'
        img.save(root / split / name, quality=92)
        images.append(dict(id=i + 1, file_name=name, width=img.width,
                           height=img.height))
        for obj in objects:
            annotations.append(dict(id=len(annotations) + 1, image_id=i + 1,
                                    iscrowd=0, **obj))
    coco = dict(
        info=dict(description=f'ghost_det synthetic shapes ({split})',
                  version='1.0'),
        images=images, annotations=annotations,
        categories=[dict(id=i + 1, name=n, supercategory='shape')
                    for i, n in enumerate(CLASSES)])
    ann_file = root / 'annotations' / f'instances_{split}.json'
    ann_file.write_text(json.dumps(coco))
    return ann_file


def make_synthetic_coco(root, cfg: SyntheticCocoConfig = SyntheticCocoConfig()
                        ) -> Dict[str, Path]:
    """Generate train and val splits under ``root``; return the ann files."""
    root = Path(root)
    return {
        'train': write_split(root, 'train', cfg.num_train, cfg, 1),
        'val': write_split(root, 'val', cfg.num_val, cfg, 2),
    }


def ensure_synthetic_coco(out: Path, cfg: SyntheticCocoConfig,
                          force: bool = False) -> bool:
    """Generate unless ``out`` already holds this dataset; True if made."""
    stamp = out / 'generator.json'
    wanted = dataclasses.asdict(cfg)
    wanted['image_size'] = list(cfg.image_size)
    if (not force and stamp.is_file()
            and json.loads(stamp.read_text()) == wanted):
        return False
    start = time.time()
    print(f'making synthetic COCO dataset in {out} ({cfg.num_train} train, '
          f'{cfg.num_val} val images) ...', flush=True)
    files = make_synthetic_coco(out, cfg)
    for split, ann in files.items():
        data = json.loads(ann.read_text())
        print(f'  {split}: {len(data["images"])} images, '
              f'{len(data["annotations"])} objects -> {ann}')
    stamp.write_text(json.dumps(wanted))
    print(f'done in {time.time() - start:.1f}s')
    return True
