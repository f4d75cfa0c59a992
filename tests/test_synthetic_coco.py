import json

import numpy as np
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
