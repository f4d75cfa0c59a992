"""ONNX export: ONNX Runtime and OpenVINO outputs equal PyTorch eager
outputs."""
import importlib.util
import subprocess
import sys

import numpy as np
import pytest
import torch

from ghost_det.deploy import deploy_model
from ghost_det.deploy.engine_detector import engine_session
from ghost_det.deploy.onnx_export import export_onnx, exportable, ort_session
from ghost_det.models import GhostNet
from tests._demo_helpers import ROOT
from tests._helpers import (
    assert_close_relative,
    build_detector,
    randomise_norms,
)

# the fast run keeps GhostNet-1.1x in each engine's default layout
FAST = {('onnxruntime', 'pad16'), ('openvino', 'pad1-split')}


@pytest.mark.parametrize('widen,layout,backend', [
    pytest.param(w, layout, backend, marks=() if (
        w == 1.1 and (backend, layout) in FAST) else pytest.mark.slow)
    for w in (0.5, 1.0, 1.1, 1.3)
    for layout in (None, 'fold', 'pad16', 'pad1-split')
    for backend in ('onnxruntime', 'openvino')])
def test_backbone_export_equals_eager(tmp_path, widen, layout, backend):
    model = randomise_norms(GhostNet(widen_factor=widen))
    eager = [torch.randn(1, 3, 96, 128), torch.randn(2, 3, 160, 96)]
    with torch.no_grad():
        expected = [model(x) for x in eager]
    if layout:
        deploy_model(model, layout=layout)
    path = str(tmp_path / 'backbone.onnx')
    export_onnx(model, path, (1, 3, 64, 64))
    session = engine_session(path, backend, threads=1)
    for x, want in zip(eager, expected):  # sizes other than the traced one
        got = session.run(None, {'input': x.numpy()})
        assert len(got) == 4
        for a, b in zip(got, want):
            assert_close_relative(torch.from_numpy(a), b)


@pytest.mark.slow  # the end-to-end graph tests cover the fast path
def test_detector_onnx_equals_eager_up_to_head_outputs(tmp_path):
    model = build_detector(
        'configs/ghostnet/retinanet_ghostnet-1.1x_fpn_1x_coco.py')
    x = torch.randn(1, 3, 256, 320)
    with torch.no_grad():
        expected = exportable(model)(x)
    deploy_model(model, layout='pad16')
    path = str(tmp_path / 'retinanet.onnx')
    names = export_onnx(model, path, (1, 3, 128, 128))
    assert names[0] == 'cls_score_0' and names[-1] == 'bbox_pred_4'
    got = ort_session(path, threads=1).run(None, {'input': x.numpy()})
    assert len(got) == len(expected) == 10
    for a, b in zip(got, expected):
        assert_close_relative(torch.from_numpy(a), b)


@pytest.mark.slow
@pytest.mark.parametrize('backend,part', [('onnxruntime', 'dense'),
                                          ('openvino', 'end2end')])
def test_export_tool_checks_itself(tmp_path, backend, part):
    out = tmp_path / 'frcnn.onnx'
    result = subprocess.run(
        [sys.executable, 'tools/deployment/export.py',
         'configs/ghostnet/faster-rcnn_ghostnet-1.1x_fpn_1x_coco.py',
         '--deploy', '--shape', '256', '320', '--out', str(out),
         '--backend', backend, '--part', part],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert out.is_file()
    assert result.stdout.count(f'{backend} vs PyTorch') == 2
    assert (tmp_path / 'frcnn.xml').is_file() == (backend == 'openvino')


@pytest.mark.slow
def test_export_tool_missing_config():
    result = subprocess.run(
        [sys.executable, 'tools/deployment/export.py', 'configs/nope.py'],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0
    assert 'config file configs/nope.py not found' in result.stderr


def _export_tool():
    spec = importlib.util.spec_from_file_location(
        'export_tool', ROOT / 'tools' / 'deployment' / 'export.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_export_check_fails_on_changed_outputs():
    check = _export_tool().check
    rng = np.random.default_rng(0)
    boxes = rng.uniform(0, 300, (200, 4)).astype(np.float32)
    scores = rng.uniform(0, 1, 200).astype(np.float32)
    labels = rng.integers(0, 80, 200)
    features = [rng.standard_normal((1, 8, s, s)).astype(np.float32)
                for s in (10, 5)]
    want = [boxes, scores] + features  # Faster R-CNN: proposals, features
    # reordered detections and rounding: equal
    order = rng.permutation(200)
    got = [boxes[order] * (1 + 1e-6), scores[order]] + [
        f + 1e-6 for f in features]
    assert check(want, got, end2end=True)[1]
    # one NMS decision flipped (one box each side): within 1%
    flipped = boxes.copy()
    flipped[0] += 20
    line, passed = check(want, [flipped, scores] + features, end2end=True)
    assert passed and '2 of 400 detections' in line
    # a box moved in five detections, a feature off by 1%, missing
    # detections: each fails
    moved = boxes.copy()
    moved[:5, 0] += 1.
    assert not check(want, [moved, scores] + features, True)[1]
    assert not check(want, [boxes, scores, features[0] * 1.01,
                            features[1]], True)[1]
    assert not check(want, [boxes[:-5], scores[:-5]] + features, True)[1]
    # RetinaNet (boxes, scores, labels): a changed label fails
    relabelled = labels.copy()
    relabelled[:3] += 1
    assert check([boxes, scores, labels], [boxes, scores, labels], True)[1]
    assert not check([boxes, scores, labels],
                     [boxes, scores, relabelled], True)[1]
    # dense outputs are compared tensor by tensor, in order
    assert not check(want, [boxes, scores[::-1]] + features, False)[1]
