# GhostNet paper, Table 8: RetinaNet, GhostNet-1.1x backbone, COCO 1x.
# Train on train2017 (= trainval35k), evaluate on val2017 (= minival).
_base_ = [
    '../_base_/models/retinanet_ghostnet-1.1x_fpn.py',
    'mmdet::_base_/datasets/coco_detection.py',
    '../_base_/schedule_1x.py',
    '../_base_/default_runtime.py'
]
custom_imports = dict(imports=['ghost_det'], allow_failed_imports=False)

# SGD lr 0.01 for 16 images a batch (8 GPUs x 2); other batch sizes scale it.
optim_wrapper = dict(optimizer=dict(lr=0.01))
auto_scale_lr = dict(enable=True, base_batch_size=16)
