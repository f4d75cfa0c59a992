# GhostNet paper, Table 8 baseline: RetinaNet, MobileNetV2 1.0x, COCO 1x.
# Same as ../ghostnet/retinanet_ghostnet-1.1x_fpn_1x_coco.py but the backbone.
_base_ = [
    'mmdet::_base_/models/retinanet_r50_fpn.py',
    'mmdet::_base_/datasets/coco_detection.py',
    '../_base_/schedule_1x.py',
    '../_base_/default_runtime.py'
]
custom_imports = dict(imports=['ghost_det'], allow_failed_imports=False)

model = dict(
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

# SGD lr 0.01 for 16 images a batch (8 GPUs x 2); other batch sizes scale it.
optim_wrapper = dict(optimizer=dict(lr=0.01))
auto_scale_lr = dict(enable=True, base_batch_size=16)
# MobileNetV2/V3 run a last 1x1 conv that no output uses, so DDP must look
# for unused parameters (GhostNet does not run its blocks.9: no such flag).
find_unused_parameters = True
