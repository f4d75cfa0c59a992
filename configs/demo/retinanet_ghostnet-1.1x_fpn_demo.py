# The CPU demo: GhostNet-1.1x RetinaNet trained from scratch on the synthetic
# shapes dataset. The model file of the COCO config
# (../ghostnet/retinanet_ghostnet-1.1x_fpn_1x_coco.py) with the demo's data
# and schedule (_base_/synthetic-shapes_adamw_12e.py), and these changes:
#   backbone no GhostNet-1.1x ImageNet weights exist: random init, BatchNorm trained
#   head     FPN and head 64 wide with 2 stacked convs instead of 256 / 4:
#            the full head is ~20x the backbone's FLOPs at this size
_base_ = [
    '../_base_/models/retinanet_ghostnet-1.1x_fpn.py',
    './_base_/synthetic-shapes_adamw_12e.py',
    '../_base_/from_scratch.py'
]

model = dict(
    backbone=_base_.from_scratch,
    neck=dict(out_channels=64),
    bbox_head=dict(
        num_classes=4, in_channels=64, feat_channels=64, stacked_convs=2))
