"""Check the COCO-format datasets of a config before training.

Reads each annotation file and each image the way training will, and
reports by file name and id what would crash a run hours in or silently
train on wrong data. Errors: missing, unreadable or truncated images, image
sizes that differ from the annotation file, boxes outside the image or of
zero or negative area, unknown category or image ids, duplicate image or
annotation ids. Warnings (training handles them): grayscale, RGBA/palette
and 16-bit images, images without objects.
"""
import json
import os.path as osp
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Tuple

from PIL import Image

# a box may reach this many pixels past the border (COCO rounds its boxes)
BORDER_TOLERANCE = 1.0
HIGH_BIT_MODES = ('I;16', 'I;16B', 'I;16L', 'I', 'F')


@dataclass
class Report:
    """What one dataset's check found."""
    name: str
    images: int = 0
    annotations: int = 0
    errors: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)

    def error(self, message: str) -> None:
        self.errors.append(message)

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def coco_datasets(dataset_cfg: dict) -> Iterator[Tuple[str, str, str]]:
    """(annotation file, image folder, dataset type) of every dataset in a
    dataset config, looking inside ConcatDataset/RepeatDataset wrappers."""
    for key in ('datasets', 'dataset'):
        inner = dataset_cfg.get(key)
        if isinstance(inner, dict):
            inner = [inner]
        if inner:
            for sub in inner:
                yield from coco_datasets(sub)
            return
    root = dataset_cfg.get('data_root') or ''
    prefix = dataset_cfg.get('data_prefix') or {}
    prefix = prefix.get('img', '') if isinstance(prefix, dict) else prefix
    yield (osp.join(root, dataset_cfg['ann_file']), osp.join(root, prefix),
           dataset_cfg.get('type', ''))


def _image_problem(path: str, width: int, height: int
                   ) -> Tuple[Optional[str], Optional[str]]:
    """(error, warning) about one image file."""
    if not osp.isfile(path):
        return 'missing', None
    try:
        with Image.open(path) as image:
            mode, size = image.mode, image.size
            image.load()  # decodes everything: finds truncated files
    except Exception as err:  # noqa: BLE001  (any decoder failure)
        kind = 'truncated' if 'truncated' in str(err) else 'unreadable'
        return f'{kind} ({err})', None
    if size != (width, height):
        return (f'is {size[0]}x{size[1]} but the annotation file says '
                f'{width}x{height}'), None
    if mode in ('L', '1', 'LA'):
        return None, f'grayscale ({mode}); loaded as 3 equal channels'
    if mode in ('RGBA', 'P', 'PA'):
        return None, f'{mode} image; the alpha/palette is dropped on loading'
    if mode in HIGH_BIT_MODES:
        return None, (f'{mode} ({"16" if "16" in mode else "32"}-bit) '
                      'image; loaded as 8-bit, check its intensity range')
    return None, None


def _box_problem(box, width: int, height: int) -> Optional[str]:
    if not isinstance(box, (list, tuple)) or len(box) != 4:
        return f'bbox {box!r} is not [x, y, w, h]'
    x, y, w, h = box
    if w <= 0 or h <= 0:
        return f'bbox {box} has zero or negative area'
    if (x < -BORDER_TOLERANCE or y < -BORDER_TOLERANCE
            or x + w > width + BORDER_TOLERANCE
            or y + h > height + BORDER_TOLERANCE):
        return f'bbox {box} lies outside the {width}x{height} image'
    return None


def check_coco(ann_file: str, img_dir: str, name: str = '',
               check_images='decode') -> Report:
    """Check one COCO-format annotation file and its images:
    ``check_images`` 'decode' (or True) reads every image, 'exists' only
    looks for the files, False skips them."""
    report = Report(name or ann_file)
    try:
        with open(ann_file) as f:
            data = json.load(f)
    except FileNotFoundError:
        report.error(f'annotation file {ann_file} does not exist')
        return report
    except (OSError, json.JSONDecodeError) as err:
        report.error(f'annotation file {ann_file} is not valid JSON ({err})')
        return report
    images = data.get('images', [])
    annotations = data.get('annotations', [])
    report.images, report.annotations = len(images), len(annotations)
    categories = {c['id'] for c in data.get('categories', [])}

    for id_, count in Counter(i['id'] for i in images).items():
        if count > 1:
            report.error(f'image id {id_} is used by {count} images')
    for id_, count in Counter(a['id'] for a in annotations).items():
        if count > 1:
            report.error(f'annotation id {id_} is used {count} times')

    by_id: Dict[int, dict] = {i['id']: i for i in images}
    with_objects = set()
    for ann in annotations:
        where = f"annotation {ann['id']} (image {ann.get('image_id')})"
        image = by_id.get(ann.get('image_id'))
        if image is None:
            report.error(f'{where}: no image with this id')
            continue
        if ann.get('category_id') not in categories:
            report.error(f"{where} in {image['file_name']}: unknown category "
                         f"id {ann.get('category_id')} (known: "
                         f'{sorted(categories)})')
        problem = _box_problem(ann.get('bbox'), image['width'],
                               image['height'])
        if problem:
            report.error(f"{where} in {image['file_name']}: {problem}")
        if not ann.get('iscrowd', 0):
            with_objects.add(image['id'])

    for image in images:
        name = image['file_name']
        if image['id'] not in with_objects:
            report.warn(f"image {image['id']} {name}: no objects")
        if check_images == 'exists':
            if not osp.isfile(osp.join(img_dir, name)):
                report.error(f"image {image['id']} {name}: missing")
        elif check_images:
            error, warning = _image_problem(osp.join(img_dir, name),
                                            image['width'], image['height'])
            if error:
                report.error(f"image {image['id']} {name}: {error}")
            if warning:
                report.warn(f"image {image['id']} {name}: {warning}")
    return report


def check_config_datasets(cfg, splits=('train', 'val'),
                          check_images='decode') -> List[Report]:
    """Check the datasets of a config's train/val/test dataloaders."""
    reports = []
    seen = set()
    for split in splits:
        loader = cfg.get(f'{split}_dataloader')
        if not loader:
            continue
        for ann_file, img_dir, _ in coco_datasets(loader['dataset']):
            if (ann_file, img_dir) in seen:
                continue
            seen.add((ann_file, img_dir))
            reports.append(check_coco(ann_file, img_dir,
                                      f'{split}: {ann_file}', check_images))
    return reports
