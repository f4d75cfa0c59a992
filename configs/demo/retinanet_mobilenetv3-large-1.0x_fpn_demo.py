# The CPU demo's comparison (python tools/demo.py --compare):
# the GhostNet demo config with mmpretrain's MobileNetV3-Large 1.0x in its
# place, the backbone of
# ../baselines/retinanet_mobilenetv3-large-1.0x_fpn_1x_coco.py
# initialised from scratch as the GhostNet demo's. Only the backbone, the FPN
# in_channels and find_unused_parameters differ
# (tests/test_configs/test_configs.py diffs the built configs): the same
# data, input size, head, schedule and seed.
_base_ = [
    './retinanet_ghostnet-1.1x_fpn_demo.py', '../_base_/mobilenet_backbones.py'
]

model = dict(
    backbone=dict(_base_.mobilenetv3_large_1x.backbone, **_base_.from_scratch),
    neck=_base_.mobilenetv3_large_1x.neck)
