import dataclasses
import json

import numpy as np
import pytest
from PIL import Image
from pycocotools.coco import COCO

from ghost_det.datasets import (
    CLASSES,
    SyntheticCocoConfig,
    make_image,
    make_synthetic_coco,
)

CFG = SyntheticCocoConfig(num_train=30, num_val=10, seed=1)


def test_deterministic():
    a_img, a_obj = make_image(3, CFG, 1)
    b_img, b_obj = make_image(3, CFG, 1)
    assert a_obj == b_obj
    assert np.array_equal(np.asarray(a_img), np.asarray(b_img))
    c_img, _ = make_image(4, CFG, 1)
    assert not np.array_equal(np.asarray(a_img), np.asarray(c_img))


def test_valid_for_pycocotools_with_variety(tmp_path):
    files = make_synthetic_coco(tmp_path, CFG)
    coco = COCO(str(files['train']))
    assert [c['name'] for c in coco.loadCats(coco.getCatIds())] == list(
        CLASSES)
    anns = coco.loadAnns(coco.getAnnIds())
    assert {a['category_id'] for a in anns} == {1, 2, 3, 4}
    areas = np.array([a['area'] for a in anns])
    assert (areas < 32**2).any() and (areas > 96**2).any()  # small + large
    empty = [i for i in coco.getImgIds() if not coco.getAnnIds(imgIds=i)]
    assert empty  # images without objects
    for ann in anns:
        x, y, w, h = ann['bbox']
        img = coco.loadImgs(ann['image_id'])[0]
        assert 0 <= x and 0 <= y and x + w <= img['width']
        assert y + h <= img['height'] and ann['area'] <= w * h
    image = Image.open(tmp_path / 'train' / coco.loadImgs(1)[0]['file_name'])
    assert image.size == CFG.image_size
    assert np.asarray(image).std() > 5  # textured, not flat
    val = json.loads(files['val'].read_text())
    assert len(val['images']) == CFG.num_val


def test_objects_overlap_only_partially():
    overlaps = 0
    for i in range(40):
        _, objects = make_image(i, CFG, 1)
        boxes = [o['bbox'] for o in objects]
        for a in range(len(boxes)):
            for b in range(a + 1, len(boxes)):
                ax, ay, aw, ah = boxes[a]
                bx, by, bw, bh = boxes[b]
                ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
                iy = max(0, min(ay + ah, by + bh) - max(ay, by))
                if ix * iy > 0:
                    overlaps += 1
                    assert ix * iy < min(aw * ah, bw * bh)  # never hidden
    assert overlaps > 0


def test_ensure_makes_once_and_remakes_on_change(tmp_path):
    from ghost_det.datasets import ensure_synthetic_coco
    small = SyntheticCocoConfig(num_train=3, num_val=2, seed=2)
    assert ensure_synthetic_coco(tmp_path, small)
    assert not ensure_synthetic_coco(tmp_path, small)  # already there
    assert ensure_synthetic_coco(tmp_path, SyntheticCocoConfig(
        num_train=4, num_val=2, seed=2))
    assert len(json.loads((tmp_path / 'annotations' /
                           'instances_train.json').read_text())['images']) == 4


def test_class_names():
    from ghost_det.datasets import class_names
    assert class_names(4) == CLASSES == ('circle', 'square', 'triangle',
                                         'cross')
    names = class_names(20)
    assert len(set(names)) == 20 and names[10] == 'hollow circle'
    for bad in (0, 21):
        with pytest.raises(ValueError, match=r'num_classes must be in \[1, 20\]'):
            class_names(bad)


def test_hollow_shapes_have_a_hole():
    """The same draw, solid and hollow: a hollow shape loses up to the
    quarter of its area that its half-size inner copy covers (less where
    the copy does not lie inside, as for the L)."""
    from ghost_det.datasets.synthetic_coco import SHAPES, _draw_object
    for shape in range(len(SHAPES)):
        results = []
        for label in (shape, shape + len(SHAPES)):
            img = Image.new('RGB', (200, 200), (128, 128, 128))
            rng = np.random.RandomState(shape)
            results.append(_draw_object(img, rng, label, 100, 100, 120))
        (solid_box, solid), (hollow_box, hollow) = results
        assert solid_box == hollow_box
        assert 0.7 < hollow / solid < 0.9, SHAPES[shape]


@pytest.mark.slow  # draws large images
def test_local_noise_draws_the_same_objects():
    """Drawing an object in its box only (the detection-scale set's faster
    path) gives the box and area of drawing it over the whole image."""
    for seed in range(40):  # rotated squares, Ls, Ts reach the corners
        cfg = SyntheticCocoConfig(max_objects=1, empty_fraction=0,
                                  num_classes=20, image_size=(300, 200),
                                  seed=seed)
        _, full = make_image(0, cfg, 1)
        _, local = make_image(0, dataclasses.replace(cfg, local_noise=True),
                              1)
        assert full == local and len(full) == 1


@pytest.mark.slow  # draws 50 images of about 1333x800
def test_detection_scale_looks_like_coco():
    """A sample of the CUDA comparison's set: 20 classes, images around
    1333x800, COCO's ~7 objects an image and share of small / medium /
    large objects (41 / 34 / 24 % by area)."""
    from ghost_det.datasets import DETECTION_SCALE
    areas, labels, sizes, counts = [], set(), [], []
    for i in range(50):
        img, objects = make_image(i, DETECTION_SCALE, 1)
        sizes.append(img.size)
        counts.append(len(objects))
        areas += [o['area'] for o in objects]
        labels |= {o['category_id'] for o in objects}
    assert labels == set(range(1, 21))
    assert all(1066 <= w <= 1333 and 640 <= h <= 800 for w, h in sizes)
    assert len(set(sizes)) > 40
    assert 6 < np.mean(counts) < 9
    areas = np.array(areas)
    shares = [np.mean(areas < 32**2),
              np.mean((areas >= 32**2) & (areas < 96**2)),
              np.mean(areas >= 96**2)]
    for share, coco in zip(shares, (0.41, 0.34, 0.24)):
        assert abs(share - coco) < 0.08, shares


def test_workers_make_the_same_files(tmp_path):
    cfg = SyntheticCocoConfig(num_train=6, num_val=2, seed=4, num_classes=20,
                              size_jitter=0.2, local_noise=True)
    make_synthetic_coco(tmp_path / 'one', cfg)
    make_synthetic_coco(tmp_path / 'two', cfg, workers=2)
    for path in sorted((tmp_path / 'one').rglob('*.*')):
        twin = tmp_path / 'two' / path.relative_to(tmp_path / 'one')
        assert path.read_bytes() == twin.read_bytes(), path


def test_datasets_made_before_new_options_are_kept(tmp_path):
    """generator.json records the options added later only when set, so
    an existing demo dataset is not made again; setting one remakes."""
    from ghost_det.datasets import ensure_synthetic_coco
    small = SyntheticCocoConfig(num_train=3, num_val=2, seed=2)
    assert ensure_synthetic_coco(tmp_path, small)
    stamp = json.loads((tmp_path / 'generator.json').read_text())
    assert not {'num_classes', 'size_jitter', 'local_noise'} & set(stamp)
    assert not ensure_synthetic_coco(tmp_path, small)
    assert ensure_synthetic_coco(tmp_path, dataclasses.replace(
        small, num_classes=20))
    coco = json.loads((tmp_path / 'annotations' /
                       'instances_train.json').read_text())
    assert len(coco['categories']) == 20


def test_size_shares_line():
    from ghost_det.datasets.synthetic_coco import size_shares
    coco = dict(images=[{}, {}], annotations=[
        dict(area=a) for a in (10, 32**2 - 1, 32**2, 96**2)])
    assert size_shares(coco) == ('2.00 objects an image; small 50.0%, '
                                 'medium 25.0%, large 25.0% (COCO: 41/34/24%)')
    assert size_shares(dict(images=[{}], annotations=[])) == 'no objects'
