# mmdet's Faster R-CNN-FPN with GhostNet-1.1x in place of ResNet-50.
_base_ = 'mmdet::_base_/models/faster-rcnn_r50_fpn.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='GhostNet',
        widen_factor=1.1,
        out_indices=(2, 4, 6, 8),  # stage ends, strides 4/8/16/32
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=True,
        # ImageNet weights converted by
        # tools/model_converters/convert_ghostnet_weights.py
        # (docs/weights.md); set the path to yours.
        init_cfg=dict(
            type='Pretrained',
            checkpoint='checkpoints/ghostnet-1.1x_in1k.pth',
            prefix='backbone.')),
    neck=dict(in_channels=[28, 44, 124, 176]))
