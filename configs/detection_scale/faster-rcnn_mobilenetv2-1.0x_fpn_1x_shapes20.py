# The detection-scale comparison (python tools/demo.py --scale detection):
# ./faster-rcnn_ghostnet-1.1x_fpn_1x_shapes20.py with mmdet's MobileNetV2 1.0x
# from scratch in its place (the backbone of
# ../baselines/faster-rcnn_mobilenetv2-1.0x_fpn_1x_coco.py).
_base_ = [
    './faster-rcnn_ghostnet-1.1x_fpn_1x_shapes20.py',
    '../_base_/mobilenet_backbones.py'
]

model = dict(
    backbone=dict(_base_.mobilenetv2_1x.backbone, **_base_.from_scratch),
    neck=_base_.mobilenetv2_1x.neck)
