"""tools/infer.py: drawn predictions and per-image JSON for an image, a
folder or a glob, in PyTorch and in the deployed engines, which agree."""
import json
import subprocess
import sys

import pytest
import torch

from tests._demo_helpers import ROOT, tiny_config, tiny_dataset

pytestmark = pytest.mark.slow  # starts the tool as a process


def train(tmp, detector='retinanet'):
    """One short epoch of tools/train.py on a tiny dataset: a checkpoint
    as users have it (dataset_meta included)."""
    data = tiny_dataset(tmp / 'data', num_train=8, num_val=3)
    config = tiny_config(tmp, data, detector, max_epochs=1, val_interval=10)
    subprocess.run([sys.executable, 'tools/train.py', str(config),
                    '--work-dir', str(tmp / 'work')], cwd=ROOT, check=True,
                   capture_output=True)
    return config, tmp / 'work' / 'epoch_1.pth', data / 'val'


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    return train(tmp_path_factory.mktemp('infer'))


def infer(inputs, config, weights, out_dir, *extra):
    result = subprocess.run(
        [sys.executable, 'tools/infer.py', str(inputs), str(config),
         '--weights', str(weights), '--out-dir', str(out_dir),
         '--pred-score-thr', '0', *extra],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


def predictions(out_dir):
    return {p.stem: json.loads(p.read_text())
            for p in sorted((out_dir / 'preds').glob('*.json'))}


def test_folder_glob_and_image_give_drawings_and_json(trained, tmp_path):
    config, weights, images = trained
    out = infer(images, config, weights, tmp_path / 'folder')
    assert '3 images:' in out
    preds = predictions(tmp_path / 'folder')
    assert sorted(preds) == sorted(p.stem for p in images.glob('*.jpg'))
    assert sorted(p.name for p in (tmp_path / 'folder' / 'vis').iterdir()) \
        == sorted(p.name for p in images.glob('*.jpg'))
    for pred in preds.values():
        assert len(pred['bboxes']) == len(pred['scores']) == len(
            pred['labels']) > 0
        assert all(0 <= label < 4 for label in pred['labels'])
    infer(images / '00000[01].jpg', config, weights, tmp_path / 'glob')
    assert sorted(predictions(tmp_path / 'glob')) == ['000000', '000001']
    one = images / '000002.jpg'
    infer(one, config, weights, tmp_path / 'one')
    assert predictions(tmp_path / 'one') == {'000002': preds['000002']}


@pytest.mark.parametrize('detector,backend', [('retinanet', 'onnxruntime'),
                                               ('retinanet', 'openvino'),
                                               ('faster-rcnn', 'onnxruntime')])
def test_engines_predict_what_pytorch_predicts(trained, tmp_path, detector,
                                               backend):
    """The deployed end-to-end detector in the engine: the same boxes,
    scores and labels as DetInferencer in PyTorch, within float rounding."""
    config, weights, images = (trained if detector == 'retinanet' else
                               train(tmp_path, detector))
    infer(images, config, weights, tmp_path / 'pytorch')
    out = infer(images, config, weights, tmp_path / backend, '--backend',
                backend)
    assert f'run by {backend}' in out
    reference, engine = predictions(tmp_path / 'pytorch'), predictions(
        tmp_path / backend)
    assert sorted(reference) == sorted(engine)
    for name, expected in reference.items():
        got = engine[name]
        top = torch.tensor(expected['scores'])[:20]
        torch.testing.assert_close(torch.tensor(got['scores'])[:20], top,
                                   atol=1e-4, rtol=1e-4)
        boxes = torch.tensor(got['bboxes'])
        for box, label in zip(expected['bboxes'][:20],
                              expected['labels'][:20]):
            near = (boxes - torch.tensor(box)).abs().max(dim=1).values
            same = [i for i, d in enumerate(near.tolist()) if d < 1e-2]
            assert any(got['labels'][i] == label for i in same), (name, box)


def test_no_image_is_a_clear_error(trained, tmp_path):
    config, weights, _ = trained
    result = subprocess.run(
        [sys.executable, 'tools/infer.py', str(tmp_path), str(config),
         '--weights', str(weights)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0
    assert 'no image in' in result.stderr
