"""A deterministic synthetic COCO-format detection dataset for demos/tests.

Shapes of four classes (up to 20: ten shapes, solid or hollow), random
colours and rotations, sizes from small to large (COCO's area ranges),
partial overlaps, textured backgrounds and some images without objects.
Everything follows from ``seed``. ``DETECTION_SCALE`` is the larger set of
the CUDA comparison: 20 classes, images around 1333x800, COCO's share of
small, medium and large objects.
"""
import dataclasses
import json
import math
import multiprocessing
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SHAPES = ('circle', 'square', 'triangle', 'cross', 'pentagon', 'star', 'bar',
          'L', 'T', 'arrow')
MAX_CLASSES = 2 * len(SHAPES)  # each shape solid or hollow


def class_names(num_classes: int) -> Tuple[str, ...]:
    """The first ``num_classes`` classes: solid shapes, then hollow ones."""
    if not 1 <= num_classes <= MAX_CLASSES:
        raise ValueError(f'num_classes must be in [1, {MAX_CLASSES}], got '
                         f'{num_classes}')
    names = SHAPES + tuple(f'hollow {s}' for s in SHAPES)
    return names[:num_classes]


CLASSES = class_names(4)  # the demo's


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
    # added later; recorded in generator.json only when not the default, so
    # that datasets made before them are not remade
    num_classes: int = 4
    size_jitter: float = 0.0  # each side of an image shrunk by up to this
    local_noise: bool = False  # object noise drawn in its box only (faster)


# The CUDA comparison's dataset (tools/demo.py --scale detection): 10k train
# images from 1066x640 to 1333x800, 20 classes, 7.5 objects an image (COCO:
# 7.3) with log-uniform sides from 15 to 420 px: 41% small, 37% medium, 22%
# large objects by COCO's area ranges (COCO: 41/34/24; the first 200 train
# images, printed by tools/misc/make_demo_data.py --scale detection --train 200;
# checked by tests/test_datasets/test_synthetic_coco.py).
DETECTION_SCALE = SyntheticCocoConfig(
    num_train=10000, num_val=1000, image_size=(1333, 800), max_objects=14,
    min_size=15, max_size=420, empty_fraction=0.01, num_classes=20,
    size_jitter=0.2, local_noise=True)


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


def _regular(n: int, r: float,
             inner: Optional[float] = None) -> List[Tuple[float, float]]:
    """A regular n-gon; with ``inner``, an n-pointed star whose inner
    corners lie at ``inner * r``."""
    radii = (r, ) if inner is None else (r, r * inner)
    corners = n * len(radii)
    angles = [-math.pi / 2 + 2 * math.pi * i / corners for i in range(corners)]
    return [(radii[i % len(radii)] * math.cos(a),
             radii[i % len(radii)] * math.sin(a)) for i, a in enumerate(angles)]


def _shape_polygon(shape: int, cx: float, cy: float, size: float,
                   angle: float) -> Optional[List[Tuple[float, float]]]:
    """Outline of shape ``SHAPES[shape]`` (None for a circle)."""
    r = size / 2
    t = r / 3
    if shape == 0:
        return None
    if shape == 1:
        r *= 0.8  # a square of the same visual size as the circle
        pts = [(-r, -r), (r, -r), (r, r), (-r, r)]
    elif shape == 2:
        pts = [(r * math.cos(a), r * math.sin(a))
               for a in (-math.pi / 2, math.pi / 6, 5 * math.pi / 6)]
    elif shape == 3:
        pts = [(-t, -r), (t, -r), (t, -t), (r, -t), (r, t), (t, t), (t, r),
               (-t, r), (-t, t), (-r, t), (-r, -t), (-t, -t)]
    elif shape == 4:
        pts = _regular(5, r)
    elif shape == 5:
        pts = _regular(5, r, inner=0.45)
    elif shape == 6:
        pts = [(-r, -0.35 * r), (r, -0.35 * r), (r, 0.35 * r), (-r, 0.35 * r)]
    elif shape == 7:
        pts = [(-r, -r), (-t, -r), (-t, t), (r, t), (r, r), (-r, r)]
    elif shape == 8:
        pts = [(-r, -r), (r, -r), (r, -t), (t, -t), (t, r), (-t, r), (-t, -t),
               (-r, -t)]
    else:
        pts = [(-r, -t), (0, -t), (0, -r), (r, 0), (0, r), (0, t), (-r, t)]
    ca, sa = math.cos(angle), math.sin(angle)
    return [(cx + x * ca - y * sa, cy + x * sa + y * ca) for x, y in pts]


def _overlap(a: List[float], b: List[float]) -> float:
    """Intersection over the smaller box's area (0: apart, 1: inside)."""
    ix = max(0., min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0., min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    return ix * iy / min(a[2] * a[3], b[2] * b[3])


def _draw_object(img: Image.Image, rng: np.random.RandomState, label: int,
                 cx: float, cy: float, size: float, local: bool = False
                 ) -> Tuple[List[float], int]:
    """Draw one object; return its tight box [x, y, w, h] and pixel area.
    ``local``: work in the object's box, not the whole image."""
    w, h = img.size
    mask = Image.new('L', (w, h), 0)
    shape, hollow = label % len(SHAPES), label >= len(SHAPES)
    angle = rng.uniform(0, 2 * math.pi) if shape != 0 else 0.
    mdraw = ImageDraw.Draw(mask)
    # a hollow shape: the same shape at half the size cut out of it
    for scale, fill in ((1.0, 255), (0.5, 0))[:2 if hollow else 1]:
        poly = _shape_polygon(shape, cx, cy, size * scale, angle)
        if poly is None:
            r = size * scale / 2
            mdraw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill)
        else:
            mdraw.polygon(poly, fill=fill)
    box = (0, 0, w, h)
    if local:  # every shape lies within sqrt(2) * size / 2 of its centre
        r = size / 2 * math.sqrt(2) + 1
        box = (max(0, int(cx - r)), max(0, int(cy - r)),
               min(w, int(math.ceil(cx + r))), min(h, int(math.ceil(cy + r))))
        mask = mask.crop(box)
    region = img.crop(box) if local else img
    # a colour that stands out from the background under the object
    under = np.asarray(region)[np.asarray(mask) > 127].mean(0)
    for _ in range(20):
        colour = rng.uniform(0, 255, 3)
        if np.abs(colour - under).sum() > 120:
            break
    shade = np.clip(colour + rng.normal(0, 8, (*mask.size[::-1], 3)), 0, 255)
    img.paste(Image.fromarray(shade.astype(np.uint8)), box[:2], mask)
    m = np.asarray(mask) > 127
    ys, xs = np.nonzero(m)
    x0, y0 = xs.min() + box[0], ys.min() + box[1]
    x1, y1 = xs.max() + 1 + box[0], ys.max() + 1 + box[1]
    return [float(x0), float(y0), float(x1 - x0), float(y1 - y0)], int(m.sum())


def make_image(index: int, cfg: SyntheticCocoConfig,
               split_seed: int) -> Tuple[Image.Image, List[Dict]]:
    """One image and its objects (``bbox``, ``area``, ``category_id``)."""
    rng = np.random.RandomState((cfg.seed * 1_000_003 + split_seed * 7919
                                 + index) % 2**32)
    w, h = cfg.image_size
    if cfg.size_jitter:  # no draw at 0: the demo's images stay as they were
        w, h = (round(s * (1 - rng.uniform(0, cfg.size_jitter)))
                for s in (w, h))
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
        label = int(rng.randint(cfg.num_classes))
        bbox, area = _draw_object(img, rng, label, cx, cy, size,
                                  cfg.local_noise)
        objects.append(dict(_box=box, bbox=bbox, area=area,
                            category_id=label + 1))
    for o in objects:
        del o['_box']
    return img, objects


def _write_image(args: Tuple[Path, int, SyntheticCocoConfig, int]
                 ) -> Tuple[int, int, List[Dict]]:
    """Make and save image ``index``; return its size and objects."""
    folder, index, cfg, split_seed = args
    img, objects = make_image(index, cfg, split_seed)
    img.save(folder / f'{index:06d}.jpg', quality=92)
    return img.width, img.height, objects


def write_split(root: Path, split: str, num_images: int,
                cfg: SyntheticCocoConfig, split_seed: int,
                workers: int = 1) -> Path:
    """Write ``root/split/*.jpg`` and ``root/annotations/instances_split``
    (images made by ``workers`` processes: the same files for any number)."""
    (root / split).mkdir(parents=True, exist_ok=True)
    (root / 'annotations').mkdir(parents=True, exist_ok=True)
    images, annotations = [], []
    jobs = [(root / split, i, cfg, split_seed) for i in range(num_images)]
    pool = multiprocessing.Pool(workers) if workers > 1 else None
    made = pool.imap(_write_image, jobs, chunksize=8) if pool else map(
        _write_image, jobs)
    start = time.time()
    for i, (width, height, objects) in enumerate(made):
        name = f'{i:06d}.jpg'
        if num_images >= 1000 and (i + 1) % (num_images // 10) == 0:
            left = (time.time() - start) / (i + 1) * (num_images - i - 1)
            print(f'  {split}: {i + 1}/{num_images} images, about '
                  f'{left / 60:.0f} min left', flush=True)
        images.append(dict(id=i + 1, file_name=name, width=width,
                           height=height))
        for obj in objects:
            annotations.append(dict(id=len(annotations) + 1, image_id=i + 1,
                                    iscrowd=0, **obj))
    if pool:
        pool.close()
        pool.join()
    coco = dict(
        info=dict(description=f'ghost_det synthetic shapes ({split})',
                  version='1.0'),
        images=images, annotations=annotations,
        categories=[dict(id=i + 1, name=n, supercategory='shape')
                    for i, n in enumerate(class_names(cfg.num_classes))])
    ann_file = root / 'annotations' / f'instances_{split}.json'
    ann_file.write_text(json.dumps(coco))
    return ann_file


def make_synthetic_coco(root, cfg: SyntheticCocoConfig = SyntheticCocoConfig(),
                        workers: int = 1) -> Dict[str, Path]:
    """Generate train and val splits under ``root``; return the ann files."""
    class_names(cfg.num_classes)  # checks the number
    root = Path(root)
    return {
        'train': write_split(root, 'train', cfg.num_train, cfg, 1, workers),
        'val': write_split(root, 'val', cfg.num_val, cfg, 2, workers),
    }


def size_shares(coco: Dict) -> str:
    """Objects an image and the shares of small / medium / large objects by
    COCO's area ranges (< 32^2, < 96^2, larger), as a line of text."""
    areas = np.array([a['area'] for a in coco['annotations']], float)
    if not len(areas):
        return 'no objects'
    shares = (np.mean(areas < 32**2), np.mean((areas >= 32**2)
                                               & (areas < 96**2)),
              np.mean(areas >= 96**2))
    return (f'{len(areas) / len(coco["images"]):.2f} objects an image; small '
            '{:.1%}, medium {:.1%}, large {:.1%} (COCO: 41/34/24%)'.format(
                *shares))


def _stamp(cfg: SyntheticCocoConfig) -> Dict:
    """What generator.json records of ``cfg``."""
    stamp = dataclasses.asdict(cfg)
    stamp['image_size'] = list(cfg.image_size)
    for late in ('num_classes', 'size_jitter', 'local_noise'):
        if stamp[late] == getattr(SyntheticCocoConfig, late):
            del stamp[late]
    return stamp


def ensure_synthetic_coco(out: Path, cfg: SyntheticCocoConfig,
                          force: bool = False, workers: int = 1) -> bool:
    """Generate unless ``out`` already holds this dataset; True if made."""
    stamp = out / 'generator.json'
    wanted = _stamp(cfg)
    if (not force and stamp.is_file()
            and json.loads(stamp.read_text()) == wanted):
        return False
    start = time.time()
    print(f'making synthetic COCO dataset in {out} ({cfg.num_train} train, '
          f'{cfg.num_val} val images) ...', flush=True)
    files = make_synthetic_coco(out, cfg, workers)
    for split, ann in files.items():
        data = json.loads(ann.read_text())
        print(f'  {split}: {len(data["images"])} images, '
              f'{len(data["annotations"])} objects -> {ann}')
        print(f'    {size_shares(data)}')
    stamp.write_text(json.dumps(wanted))
    print(f'done in {time.time() - start:.1f}s')
    return True
