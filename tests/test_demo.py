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


def test_compare_has_no_faster_rcnn_baselines(tmp_path):
    result = subprocess.run(
        [sys.executable, 'tools/demo.py', '--compare', '--detectors',
         'faster-rcnn', '--work-dir', tmp_path], cwd=ROOT, capture_output=True,
        text=True)
    assert result.returncode != 0
    assert 'no faster-rcnn demo config for mobilenetv2-1.0x' in result.stderr
