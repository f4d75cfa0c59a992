"""tools/demo.py --compare --seeds on a tiny dataset: every backbone trained
and evaluated per seed, the Table 8 layout with mean ± std, a picture per
backbone, and a second call that reads the finished runs back instead of
training again."""
import json
import subprocess
import sys

import pytest

from tests._demo_helpers import QUICK, ROOT, tiny_dataset

pytestmark = pytest.mark.slow  # starts the tools as processes

def demo(*args):
    result = subprocess.run(
        [sys.executable, 'tools/demo.py', *map(str, args)], cwd=ROOT,
        capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_compare_with_seeds(tmp_path):
    data = tiny_dataset(tmp_path / 'data', num_train=4, num_val=4)
    work = tmp_path / 'work'
    args = ['--compare', '--seeds', 2, '--data-root', data, '--work-dir', work,
            '--cfg-options', *QUICK]
    out = demo(*args)
    for i in range(1, 7):
        assert f'[demo] model {i}/6: retinanet with ' in out
    results = json.loads((work / 'results.json').read_text())
    assert sorted((r['backbone'], r['seed']) for r in results) == [
        (b, s) for b in ('ghostnet-1.1x', 'mobilenetv2-1.0x',
                         'mobilenetv3-large-1.0x') for s in (0, 1)]
    for r in results:  # each run logs into its own work dir
        scalars = list((work / f"retinanet_{r['backbone']}" /
                        f"seed{r['seed']}").glob('*/vis_data/scalars.json'))
        assert len(scalars) == 1, r
    table = (work / 'table8.md').read_text()
    rows = [line for line in table.splitlines() if '| RetinaNet |' in line]
    assert [r.split('|')[1].strip() for r in rows] == [
        'MobileNetV2 1.0x', 'MobileNetV3 1.0x', 'GhostNet 1.1x']
    for row in rows:
        cells = [c.strip() for c in row.split('|')[1:-1]]
        assert cells[-1] == '2'  # runs
        assert cells[2] == 'scratch'  # the backbone's init
        assert '±' in cells[7] and '±' in cells[-2]  # mAP, train time
    assert (work / 'table8.png').stat().st_size > 1000
    for backbone in ('ghostnet-1.1x', 'mobilenetv2-1.0x',
                     'mobilenetv3-large-1.0x'):
        assert (work / f'predictions_retinanet_{backbone}.png').is_file()

    again = demo(*args)  # finished runs are read back, not trained again
    assert 'Epoch(train)' not in again
    assert json.loads((work / 'results.json').read_text()) == results


def test_compare_faster_rcnn(tmp_path):
    """--compare --detectors faster-rcnn trains and evaluates all three
    backbones and fills the Faster R-CNN rows of the Table 8 layout."""
    data = tiny_dataset(tmp_path / 'data', num_train=4, num_val=4)
    work = tmp_path / 'work'
    out = demo('--compare', '--detectors', 'faster-rcnn', '--data-root', data,
               '--work-dir', work, '--cfg-options', *QUICK,
               'model.test_cfg.rcnn.score_thr=0.0')
    for i in range(1, 4):
        assert f'[demo] model {i}/3: faster-rcnn with ' in out
    results = json.loads((work / 'results.json').read_text())
    assert [r['backbone'] for r in results] == [
        'ghostnet-1.1x', 'mobilenetv2-1.0x', 'mobilenetv3-large-1.0x']
    assert all(r['detector'] == 'faster-rcnn' for r in results)
    table = (work / 'table8.md').read_text()
    rows = [line for line in table.splitlines() if '| Faster R-CNN |' in line]
    assert [r.split('|')[1].strip() for r in rows] == [
        'MobileNetV2 1.0x', 'MobileNetV3 1.0x', 'GhostNet 1.1x']
    for backbone in ('ghostnet-1.1x', 'mobilenetv2-1.0x',
                     'mobilenetv3-large-1.0x'):
        assert (work / f'predictions_faster-rcnn_{backbone}.png').is_file()


def test_no_boxes_gives_a_clear_error(tmp_path):
    """A model that predicts nothing above the score threshold has no mAP:
    the demo says so and how to lower the threshold."""
    data = tiny_dataset(tmp_path / 'data', num_train=4, num_val=4)
    quick = [o for o in QUICK if 'score_thr' not in o]
    result = subprocess.run(
        [sys.executable, 'tools/demo.py', '--data-root', data, '--work-dir',
         tmp_path / 'work', '--cfg-options', *quick,
         'model.test_cfg.score_thr=1.01'],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0
    assert 'predicted no box above the test score threshold' in result.stderr
    assert 'model.test_cfg.score_thr=0.0' in result.stderr


def test_detection_scale_on_cpu_shrunk(tmp_path):
    """--scale detection (for CUDA machines) end to end, shrunk to a tiny
    20-class set at 128 px: all six Table 8 detectors trained and evaluated,
    train and inference images/s and the device in the table."""
    from ghost_det.datasets import SyntheticCocoConfig, make_synthetic_coco
    data = tmp_path / 'data'
    make_synthetic_coco(data, SyntheticCocoConfig(
        num_train=4, num_val=4, image_size=(128, 128), max_size=80,
        num_classes=20, seed=5))
    work = tmp_path / 'work'
    shrink = [
        'train_dataloader.dataset.pipeline.2.scale=(128,128)',
        'test_dataloader.dataset.pipeline.1.scale=(128,128)',
        'val_dataloader.dataset.pipeline.1.scale=(128,128)',
        'train_dataloader.batch_size=4', 'model.test_cfg.rcnn.score_thr=0.0']
    out = demo('--scale', 'detection', '--allow-cpu', '--data-root', data,
               '--work-dir', work, '--cfg-options', *QUICK, *shrink)
    assert '[demo] device: CPU' in out
    results = json.loads((work / 'results.json').read_text())
    assert sorted((r['detector'], r['backbone']) for r in results) == sorted(
        (d, b) for d in ('retinanet', 'faster-rcnn')
        for b in ('ghostnet-1.1x', 'mobilenetv2-1.0x',
                  'mobilenetv3-large-1.0x'))
    # mmdet trains on the images with objects (filter_empty_gt)
    train = json.loads((data / 'annotations/instances_train.json').read_text())
    trained = len({a['image_id'] for a in train['annotations']})
    for r in results:
        assert 'configs/detection_scale/' in r['config']
        assert r['train_images_per_s'] > 0 and r['inference_images_per_s'] > 0
        assert abs(r['train_images_per_s'] * r['train_s'] - trained) < 1e-6
    table = (work / 'table8.md').read_text()
    rows = [line for line in table.splitlines() if 'shapes' in line
            or 'instances_val.json' in line]
    assert len(rows) == 6
    for row in rows:
        cells = [c.strip() for c in row.split('|')[1:-1]]
        assert float(cells[13]) > 0 and float(cells[14]) > 0  # images/s
    assert 'measured on CPU' in table


def test_detection_scale_needs_a_gpu_or_allow_cpu(tmp_path):
    import torch
    if torch.cuda.is_available():
        return  # the check is for machines without one
    result = subprocess.run(
        [sys.executable, 'tools/demo.py', '--scale', 'detection',
         '--work-dir', tmp_path / 'work', '--data-root', tmp_path / 'data'],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2
    assert 'no CUDA device is visible' in result.stderr
    assert '--allow-cpu' in result.stderr
    assert not (tmp_path / 'data').exists()  # stopped before making data


def test_backbones_adds_a_ghost_family_model(tmp_path):
    data = tiny_dataset(tmp_path / 'data', num_train=4, num_val=4)
    work = tmp_path / 'work'
    out = demo('--backbones', 'ghostnet-1.1x', 'repghostnet-1.11x',
               '--data-root', data, '--work-dir', work, '--cfg-options',
               *QUICK)
    assert '[demo] model 2/2: retinanet with repghostnet-1.11x' in out
    results = json.loads((work / 'results.json').read_text())
    assert [r['backbone'] for r in results] == ['ghostnet-1.1x',
                                                'repghostnet-1.11x']
    rows = [line.split('|')[1].strip() for line in
            (work / 'table8.md').read_text().splitlines()
            if '| RetinaNet |' in line]
    assert sorted(rows) == ['GhostNet 1.1x', 'RepGhostNet 1.11x']


def test_family_is_not_in_the_detection_scale_suite(tmp_path):
    result = subprocess.run(
        [sys.executable, 'tools/demo.py', '--scale', 'detection',
         '--allow-cpu', '--backbones', 'repghostnet-1.11x', '--work-dir',
         str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2
    assert '--scale detection has the three Table 8 backbones' in (
        result.stderr)
