# The detection-scale comparison (python tools/demo.py --scale detection):
# ../ghostnet/retinanet_ghostnet-1.1x_fpn_1x_coco.py from scratch on the
# 20-class synthetic set (_base_/synthetic-shapes20_sgd_1x.py).
_base_ = [
    '../_base_/models/retinanet_ghostnet-1.1x_fpn.py',
    './_base_/synthetic-shapes20_sgd_1x.py'
]

model = dict(backbone=_base_.from_scratch, bbox_head=dict(num_classes=20))
optim_wrapper = dict(optimizer=dict(lr=0.01))  # as the COCO config
