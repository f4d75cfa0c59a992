"""tools/demo.py --compare --seeds on a tiny dataset: every backbone trained
and evaluated per seed, the Table 8 layout with mean ± std from
tools/compare.py, a picture per backbone, and a second call that reads the
finished runs back instead of training again."""
import json
import subprocess
import sys

from ._demo_helpers import ROOT, tiny_dataset

QUICK = ['train_cfg.max_epochs=1', 'default_hooks.checkpoint.save_best=None',
         'model.test_cfg.score_thr=0.0'] + [
    f'{split}_dataloader.{key}' for split in ('train', 'val', 'test')
    for key in ('num_workers=0', 'persistent_workers=False')]


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
        assert '±' in cells[6] and '±' in cells[-2]  # mAP, train time
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
