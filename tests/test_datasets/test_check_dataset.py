"""tools/misc/check_dataset.py (ghost_det/datasets/check.py) on a small dataset
broken in every way it looks for, and on a clean one."""
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from tests._demo_helpers import ROOT, tiny_config, tiny_dataset


def check(config, *extra):
    return subprocess.run(
        [sys.executable, 'tools/misc/check_dataset.py', str(config), *extra],
        cwd=ROOT, capture_output=True, text=True)


def break_dataset(root):
    """Break the train split of a tiny synthetic dataset, one problem per
    image or annotation; returns the expected (error or warning) lines."""
    ann_path = root / 'annotations/instances_train.json'
    data = json.loads(ann_path.read_text())
    images = data['images']
    folder = root / 'train'
    name = [i['file_name'] for i in images]
    (folder / name[0]).unlink()                                  # missing
    (folder / name[1]).write_bytes(b'not an image')              # unreadable
    raw = (folder / name[2]).read_bytes()
    (folder / name[2]).write_bytes(raw[:len(raw) // 2])          # truncated
    Image.open(folder / name[3]).resize((64, 64)).save(folder / name[3])
    Image.open(folder / name[4]).convert('L').save(folder / name[4])
    rgba = Image.open(folder / name[5]).convert('RGBA')
    images[5]['file_name'] = name[5].replace('.jpg', '.png')
    rgba.save(folder / images[5]['file_name'])
    deep = (np.random.default_rng(0).integers(
        0, 65535, (images[6]['height'], images[6]['width']))).astype(np.uint16)
    images[6]['file_name'] = name[6].replace('.jpg', '.png')
    Image.fromarray(deep).save(folder / images[6]['file_name'])
    anns = data['annotations']
    w = images[anns[0]['image_id'] - 1]['width']
    anns[0]['bbox'] = [w - 5.0, 2.0, 30.0, 10.0]                 # outside
    anns[1]['bbox'] = [3.0, 3.0, 0.0, 8.0]                       # zero area
    anns[2]['category_id'] = 99                                  # unknown
    anns[3]['id'] = anns[4]['id']                                # duplicate
    images[8]['id'] = images[7]['id']                            # duplicate
    ann_path.write_text(json.dumps(data))
    return [
        f"image {images[0]['id']} {name[0]}: missing",
        f"image {images[1]['id']} {name[1]}: unreadable",
        f"image {images[2]['id']} {name[2]}: truncated",
        f"image {images[3]['id']} {name[3]}: is 64x64 but the annotation "
        f"file says {images[3]['width']}x{images[3]['height']}",
        f"image {images[4]['id']} {name[4]}: grayscale (L)",
        f"image {images[5]['id']} {images[5]['file_name']}: RGBA image",
        f"image {images[6]['id']} {images[6]['file_name']}: I;16 (16-bit)",
        f"annotation {anns[0]['id']} (image {anns[0]['image_id']}) in "
        f"{images[anns[0]['image_id'] - 1]['file_name']}: bbox "
        f"{anns[0]['bbox']} lies outside",
        f"annotation {anns[1]['id']} (image {anns[1]['image_id']}) in",
        'has zero or negative area',
        'unknown category id 99 (known: [1, 2, 3, 4])',
        f"annotation id {anns[4]['id']} is used 2 times",
        f"image id {images[7]['id']} is used by 2 images",
    ]


@pytest.mark.slow  # the tool as a process
def test_every_problem_is_named(tmp_path):
    data = tiny_dataset(tmp_path / 'data', num_train=12, num_val=4)
    expected = break_dataset(data)
    result = check(tiny_config(tmp_path, data), '--show', '100')
    assert result.returncode == 1, result.stdout + result.stderr
    for line in expected:
        assert line in result.stdout, line
    assert 'val: ' in result.stdout  # the val split is checked too


@pytest.mark.slow
def test_clean_dataset_passes_with_warnings_only(tmp_path):
    data = tiny_dataset(tmp_path / 'data', num_train=12, num_val=4)
    ann_path = data / 'annotations/instances_val.json'
    val = json.loads(ann_path.read_text())
    val['annotations'] = [a for a in val['annotations']
                          if a['image_id'] != val['images'][0]['id']]
    ann_path.write_text(json.dumps(val))
    result = check(tiny_config(tmp_path, data))
    assert result.returncode == 0, result.stdout + result.stderr
    assert '0 errors' in result.stdout
    assert f"image {val['images'][0]['id']} " \
           f"{val['images'][0]['file_name']}: no objects" in result.stdout
