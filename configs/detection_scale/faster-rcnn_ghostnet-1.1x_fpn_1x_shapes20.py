# The detection-scale comparison (python tools/demo.py --scale detection):
# ../ghostnet/faster-rcnn_ghostnet-1.1x_fpn_1x_coco.py from scratch on the
# 20-class synthetic set (_base_/synthetic-shapes20_sgd_1x.py).
_base_ = [
    '../_base_/models/faster-rcnn_ghostnet-1.1x_fpn.py',
    './_base_/synthetic-shapes20_sgd_1x.py'
]

model = dict(
    backbone=_base_.from_scratch,
    roi_head=dict(bbox_head=dict(num_classes=20)))
optim_wrapper = dict(optimizer=dict(lr=0.02))  # as the COCO config
