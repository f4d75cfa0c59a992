# Stage 1 of the pretrained demo comparison: GhostNet-1.1x with the official
# classifier head (../../pretrain/ghostnet-1.1x_8xb128_in1k.py's model: global
# pooling, 1x1 conv 1280 + ReLU + dropout 0.2, FC), 40 classes.
_base_ = ['./_base_/synthetic-cls_adamw_30e.py']

model = dict(
    _scope_='mmpretrain',
    type='ImageClassifier',
    backbone=dict(type='GhostNet', widen_factor=1.1, out_indices=(9, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='StackedLinearClsHead',
        num_classes=_base_.num_classes,
        in_channels=1056,  # blocks.9 width at 1.1x
        mid_channels=[1280],
        dropout_rate=0.2,
        act_cfg=dict(type='ReLU'),
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
