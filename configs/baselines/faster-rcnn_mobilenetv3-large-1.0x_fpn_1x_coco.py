# GhostNet paper, Table 8 baseline: Faster R-CNN-FPN, MobileNetV3-Large 1.0x
# (mmpretrain's), COCO 1x. Same as the GhostNet config but the backbone.
_base_ = [
    'mmdet::_base_/models/faster-rcnn_r50_fpn.py',
    'mmdet::_base_/datasets/coco_detection.py',
    '../_base_/schedule_1x.py',
    '../_base_/default_runtime.py'
]
# ghost_det also imports mmpretrain safely beside transformers >= 5.
custom_imports = dict(imports=['ghost_det'], allow_failed_imports=False)

model = dict(
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

# SGD lr 0.02 for 16 images a batch (8 GPUs x 2); other batch sizes scale it.
optim_wrapper = dict(optimizer=dict(lr=0.02))
auto_scale_lr = dict(enable=True, base_batch_size=16)
# MobileNetV2/V3 run a last 1x1 conv that no output uses, so DDP must look
# for unused parameters (GhostNet does not run its blocks.9: no such flag).
find_unused_parameters = True
