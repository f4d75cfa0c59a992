"""Detectors exported end to end (image to boxes): equal to mmdet's own
predictions in PyTorch, ONNX Runtime and OpenVINO, at sizes other than the
traced one."""
import copy

import pytest
import torch
from mmdet.structures import DetDataSample

from ghost_det.deploy import deploy_model
from ghost_det.deploy.end_to_end import EndToEnd
from ghost_det.deploy.engine_detector import EngineDetector, engine_session
from ghost_det.deploy.onnx_export import export_end_to_end
from tests._helpers import (
    assert_close_relative,
    build_detector,
    first_fast,
)

RETINANET = 'configs/ghostnet/retinanet_ghostnet-1.1x_fpn_1x_coco.py'
FASTER_RCNN = 'configs/ghostnet/faster-rcnn_ghostnet-1.1x_fpn_1x_coco.py'
BACKENDS = ['onnxruntime', 'openvino']


def sample(h, w, pad, scale=1.):
    """A test image's metadata: resized to (h, w) with ``scale``, padded by
    ``pad`` pixels (the boxes are clipped to (h, w), not the padding)."""
    return DetDataSample(metainfo=dict(
        img_shape=(h, w), ori_shape=(round(h / scale), round(w / scale)),
        scale_factor=(scale, scale), pad_shape=(h + pad, w + pad),
        batch_input_shape=(h + pad, w + pad)))


def scored(model):
    """Heads whose scores are spread out (no ties) and partly above the
    score threshold (initial heads score everything below it)."""
    torch.manual_seed(0)
    with torch.no_grad():
        if hasattr(model, 'roi_head'):
            model.rpn_head.rpn_cls.weight.normal_(std=0.05)
            model.roi_head.bbox_head.fc_cls.weight.normal_(std=0.5)
        else:
            model.bbox_head.retina_cls.bias.uniform_(-3, 0)
    return model.eval()


def run(session, image, meta):
    h, w = meta.img_shape
    return [torch.from_numpy(o) for o in session.run(None, {
        'input': image[None].numpy(),
        'img_shape': torch.tensor([h, w], dtype=torch.float).numpy()})]


def assert_same_detections(got, want):
    """The same boxes with the same scores (and labels), in any order among
    equal scores: engines round scores differently, which swaps ties."""
    boxes, expected = got[0].float(), want[0].float()
    assert len(boxes) == len(expected) > 0
    tol = 1e-5 * expected.abs().max()
    diff = (boxes[:, None] - expected[None]).abs().amax(-1)
    assert (diff.min(1).values <= tol).all()
    assert (diff.min(0).values <= tol).all()
    match = diff.argmin(1)
    for a, b in zip(got[1:], want[1:]):
        assert_close_relative(a.float(), b[match].float(), rtol=1e-5)


@pytest.fixture(scope='module')
def retinanet(tmp_path_factory):
    model = scored(build_detector(RETINANET))
    path = str(tmp_path_factory.mktemp('e2e') / 'retinanet.onnx')
    names = export_end_to_end(model, path, (320, 416))
    assert names == ['boxes', 'scores', 'labels']
    return model, path


@pytest.mark.parametrize('size', first_fast((320, 416), (224, 288)))
def test_retinanet_graph_equals_mmdet(retinanet, size):
    model, path = retinanet
    image = torch.randn(3, *size)
    meta = sample(size[0] - 13, size[1] - 21, 0)
    with torch.no_grad():
        want = model.predict(image[None], [meta], rescale=False)[0]
        want = (want.pred_instances.bboxes, want.pred_instances.scores,
                want.pred_instances.labels)
        assert_same_detections(EndToEnd(model)(
            image[None], torch.tensor(meta.img_shape, dtype=torch.float)),
            want)
    for backend in BACKENDS:
        got = run(engine_session(path, backend, threads=1), image, meta)
        assert_same_detections(got, want)


@pytest.mark.slow  # an edge case, in both engines
@pytest.mark.parametrize('backend', BACKENDS)
def test_no_box_above_the_threshold(tmp_path, backend):
    model = build_detector(RETINANET).eval()  # initial head: every score
    path = str(tmp_path / 'retinanet.onnx')  # below score_thr
    export_end_to_end(model, path, (128, 160))
    boxes, scores, labels = run(engine_session(path, backend, threads=1),
                                torch.randn(3, 128, 160), sample(128, 160, 0))
    assert boxes.shape == (0, 4) and len(scores) == len(labels) == 0


@pytest.mark.slow  # the relaid detector in both engines
@pytest.mark.parametrize('backend', BACKENDS)
def test_deployed_retinanet_through_the_engine_equals_eager(tmp_path,
                                                             backend):
    """tools/test.py --backend's path: relaid GhostNet (gathers folded into
    the FPN), end-to-end graph, rescale to the original image."""
    model = scored(build_detector(RETINANET))
    image, meta = torch.randn(3, 256, 352), sample(250, 340, 6, scale=0.8)
    with torch.no_grad():
        want = model.predict(image[None], [meta])[0].pred_instances
    deployed = deploy_model(copy.deepcopy(model), backend)
    path = str(tmp_path / 'retinanet.onnx')
    export_end_to_end(deployed, path, (320, 416))
    engine = EngineDetector(deployed, engine_session(path, backend, 1))
    got = engine.predict_one(image, meta)
    assert_same_detections((got.bboxes, got.scores, got.labels),
                           (want.bboxes, want.scores, want.labels))


@pytest.mark.slow
@pytest.mark.parametrize('backend', BACKENDS)
def test_faster_rcnn_proposals_and_detections_equal_mmdet(tmp_path, backend):
    model = scored(build_detector(FASTER_RCNN))
    path = str(tmp_path / 'faster_rcnn.onnx')
    names = export_end_to_end(model, path, (320, 416))
    assert names[:2] == ['proposals', 'proposal_scores']
    image, meta = torch.randn(3, 256, 320), sample(250, 300, 6, scale=1.25)
    with torch.no_grad():
        feats = model.extract_feat(image[None])
        proposals = model.rpn_head.predict(feats, [meta], rescale=False)[0]
        want = model.predict(image[None], [meta])[0].pred_instances
    session = engine_session(path, backend, threads=1)
    outs = run(session, image, meta)
    assert_same_detections(outs[:2], (proposals.bboxes, proposals.scores))
    for a, b in zip(outs[2:], feats):
        assert_close_relative(a, b)
    got = EngineDetector(model, session).predict_one(image, meta)
    assert_same_detections((got.bboxes, got.scores, got.labels),
                           (want.bboxes, want.scores, want.labels))
