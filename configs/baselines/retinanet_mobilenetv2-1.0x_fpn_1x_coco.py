# GhostNet paper, Table 8 baseline: RetinaNet, MobileNetV2 1.0x, COCO 1x.
# Same as ../ghostnet/retinanet_ghostnet-1.1x_fpn_1x_coco.py but the backbone
# (and find_unused_parameters, in ../_base_/mobilenet_backbones.py).
_base_ = [
    'mmdet::_base_/models/retinanet_r50_fpn.py',
    'mmdet::_base_/datasets/coco_detection.py',
    '../_base_/schedule_1x.py',
    '../_base_/default_runtime.py',
    '../_base_/mobilenet_backbones.py'
]
custom_imports = dict(imports=['ghost_det'], allow_failed_imports=False)

model = _base_.mobilenetv2_1x

# SGD lr 0.01 for 16 images a batch (8 GPUs x 2); other batch sizes scale it.
optim_wrapper = dict(optimizer=dict(lr=0.01))
auto_scale_lr = dict(enable=True, base_batch_size=16)
