# The Table 8 baselines' backbones, ImageNet-pretrained, as model patches for
# mmdet's FPN detectors: a config puts one in place of GhostNet with
#   _base_ = [..., '../_base_/mobilenet_backbones.py']
#   model = _base_.mobilenetv2_1x
mobilenetv2_1x = dict(
    backbone=dict(
        _delete_=True,
        type='MobileNetV2',
        widen_factor=1.0,
        out_indices=(1, 2, 4, 6),  # stage ends, strides 4/8/16/32
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=True,
        init_cfg=dict(
            type='Pretrained', checkpoint='open-mmlab://mmdet/mobilenet_v2')),
    neck=dict(in_channels=[24, 32, 96, 320]))
# mmpretrain's (ghost_det imports mmpretrain safely beside transformers >= 5)
mobilenetv3_large_1x = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.MobileNetV3',
        arch='large',
        out_indices=(3, 6, 12, 15),  # stage ends, strides 4/8/16/32
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=True,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/'
            'mobilenet_v3/mobilenet-v3-large_8xb128_in1k_20221114-0ed9ed9a.pth',
            prefix='backbone.')),
    neck=dict(in_channels=[24, 40, 112, 160]))

# MobileNetV2/V3 run a last 1x1 conv that no output uses, so DDP must look
# for unused parameters (GhostNet does not run its blocks.9: no such flag).
find_unused_parameters = True
