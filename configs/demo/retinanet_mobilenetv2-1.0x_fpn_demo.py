# The CPU demo's comparison (python tools/demo.py --compare): the GhostNet
# demo config with mmdet's MobileNetV2 1.0x in its place, as in
# ../baselines/retinanet_mobilenetv2-1.0x_fpn_1x_coco.py.
# Only the backbone and the FPN in_channels differ (tests/test_configs.py diffs
# the built configs): the same data, input size, head, schedule, seed and
# from-scratch initialisation.
_base_ = './retinanet_ghostnet-1.1x_fpn_demo.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='MobileNetV2',
        widen_factor=1.0,
        out_indices=(1, 2, 4, 6),  # stage ends, strides 4/8/16/32
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        init_cfg=[
            dict(type='Kaiming', layer='Conv2d'),
            dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm'])
        ]),
    neck=dict(in_channels=[24, 32, 96, 320]))
