# The pretrained demo comparison, stage 2: the GhostNet config
# (./retinanet_ghostnet-1.1x_fpn_demo-pretrained.py) with
# MobileNetV3-Large 1.0x in its place, the backbone of
# ../baselines/retinanet_mobilenetv3-large-1.0x_fpn_1x_coco.py, initialised from
# its own stage 1 (./pretrain/mobilenetv3-large-1.0x_synthetic-cls.py). Only the
# backbone, the FPN in_channels and find_unused_parameters differ.
_base_ = [
    './retinanet_ghostnet-1.1x_fpn_demo-pretrained.py',
    '../_base_/mobilenet_backbones.py'
]

model = dict(
    backbone=dict(
        _base_.mobilenetv3_large_1x.backbone,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='work_dirs/demo/pretrain/mobilenetv3-large-1.0x/'
            'epoch_30.pth',
            prefix='backbone.')),
    neck=_base_.mobilenetv3_large_1x.neck)
