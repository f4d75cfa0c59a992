# The demo's pretraining stage, in place of ImageNet: the synthetic
# classification crops (40 shape x texture classes, 64-96 px; made by
# ghost_det.datasets.synthetic_cls in data/synthetic_cls/), 64x64 inputs,
# batch 32, 30 epochs (75 iterations an epoch), AdamW (lr 2e-3, weight
# decay 0.05, none on norm layers), one epoch of warm-up, cosine to 0. The
# SGD recipe of ../../../pretrain/ (lr 0.1 at this batch) leaves
# MobileNetV3-Large at chance here (docs/demo.md).
_base_ = ['mmpretrain::_base_/default_runtime.py']
custom_imports = dict(imports=['ghost_det'], allow_failed_imports=False)

data_root = 'data/synthetic_cls/'
num_classes = 40
data_preprocessor = dict(
    num_classes=num_classes,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=64, crop_ratio_range=(0.6, 1.0),
         backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(64, 64), backend='pillow'),
    dict(type='PackInputs')
]
train_dataloader = dict(
    batch_size=32,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='CustomDataset', data_root=data_root,
                 data_prefix='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='CustomDataset', data_root=data_root,
                 data_prefix='val', pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_evaluator = val_evaluator

max_epochs = 30
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - 1, eta_min=0,
         by_epoch=True, begin=1, end=max_epochs, convert_to_iter_based=True)
]
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=10)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=32, enable=False)
default_hooks = dict(
    logger=dict(interval=25),
    checkpoint=dict(interval=5, max_keep_ckpts=2))
randomness = dict(seed=0)
