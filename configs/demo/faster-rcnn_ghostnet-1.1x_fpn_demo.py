# The CPU demo: GhostNet-1.1x Faster R-CNN trained from scratch on the
# synthetic shapes dataset. The model file of the COCO config
# (../ghostnet/faster-rcnn_ghostnet-1.1x_fpn_1x_coco.py) with the demo's data
# and schedule (_base_/synthetic-shapes_adamw_12e.py), and these changes:
#   backbone no GhostNet-1.1x ImageNet weights exist: random init, BatchNorm trained
#   head     FPN, RPN and RoI features 64 wide, box head fc 256 instead of
#            256 / 1024: the full heads dwarf the backbone at this size;
#            fewer proposals and sampled RoIs (few objects per image)
_base_ = [
    '../_base_/models/faster-rcnn_ghostnet-1.1x_fpn.py',
    './_base_/synthetic-shapes_adamw_12e.py',
    '../_base_/from_scratch.py'
]

model = dict(
    backbone=_base_.from_scratch,
    neck=dict(out_channels=64),
    rpn_head=dict(in_channels=64, feat_channels=64),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=64),
        bbox_head=dict(in_channels=64, fc_out_channels=256, num_classes=4)),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=500, max_per_img=300),
        rcnn=dict(sampler=dict(num=128))),
    test_cfg=dict(rpn=dict(nms_pre=300, max_per_img=100)))
