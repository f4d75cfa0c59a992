"""tools/misc/make_demo_data.py: both datasets, made once, options checked."""
import json
import subprocess
import sys

import pytest
from PIL import Image

from tests._demo_helpers import ROOT

pytestmark = pytest.mark.slow  # starts the tools as processes


def make(*args):
    return subprocess.run(
        [sys.executable, 'tools/misc/make_demo_data.py', *map(str, args)],
        cwd=ROOT, capture_output=True, text=True)


def test_detection_scale_sample(tmp_path):
    args = ['--scale', 'detection', '--train', 3, '--val', 2, '--workers', 2,
            '--out', tmp_path]
    result = make(*args)
    assert result.returncode == 0, result.stderr
    train = json.loads(
        (tmp_path / 'annotations/instances_train.json').read_text())
    assert len(train['images']) == 3 and len(train['categories']) == 20
    for image in train['images']:
        with Image.open(tmp_path / 'train' / image['file_name']) as img:
            assert img.size == (image['width'], image['height'])
            assert 1066 <= img.width <= 1333 and 640 <= img.height <= 800
    again = make(*args)
    assert 'already holds this dataset' in again.stdout


def test_bad_options(tmp_path):
    for args, message in ((['--train', 0], '--train and --val must be at '
                           'least 1'), (['--workers', 0], '--workers must be '
                                        'at least 1, got 0')):
        result = make(*args, '--out', tmp_path)
        assert result.returncode == 2 and message in result.stderr
    assert not (tmp_path / 'annotations').exists()


def test_pretraining_crops(tmp_path):
    args = ['--scale', 'pretrain', '--train', 2, '--val', 1, '--out',
            tmp_path]
    result = make(*args)
    assert result.returncode == 0, result.stderr
    for split, per_class in (('train', 2), ('val', 1)):
        folders = sorted((tmp_path / split).iterdir())
        assert len(folders) == 40
        assert all(len(list(f.glob('*.png'))) == per_class for f in folders)
    assert 'already holds this dataset' in make(*args).stdout
