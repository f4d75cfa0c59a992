# The CPU demo with RepGhostNet-1.11x (python tools/demo.py --backbones ...):
# the GhostNet demo config with the backbone of ../repghostnet/faster-
# rcnn_repghostnet-1.11x_fpn_1x_coco.py, initialised from scratch as the
# GhostNet demo's. Only the backbone and the FPN in_channels differ: the same
# data, input size, head, schedule and seed.
_base_ = './faster-rcnn_ghostnet-1.1x_fpn_demo.py'

model = dict(
    backbone=dict(type='RepGhostNet', widen_factor=1.11),
    neck=dict(in_channels=[28, 44, 124, 176]))
