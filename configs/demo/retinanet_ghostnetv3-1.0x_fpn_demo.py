# The CPU demo with GhostNetV3-1.0x (python tools/demo.py --backbones ...):
# the GhostNet demo config with the backbone of
# ../ghostnetv3/retinanet_ghostnetv3-1.0x_fpn_1x_coco.py, initialised from
# scratch as the GhostNet demo's. Only the backbone and the FPN in_channels
# differ: the same data, input size, head, schedule and seed.
_base_ = './retinanet_ghostnet-1.1x_fpn_demo.py'

model = dict(
    backbone=dict(type='GhostNetV3', widen_factor=1.0),
    neck=dict(in_channels=[24, 40, 112, 160]))
