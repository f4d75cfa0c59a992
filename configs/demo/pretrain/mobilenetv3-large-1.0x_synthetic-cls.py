# Stage 1 of the pretrained demo comparison: mmpretrain's MobileNetV3-Large
# 1.0x (the detection baseline's class) with its classifier head (global
# pooling, FC 1280 + HSwish + dropout 0.2, FC), 40 classes.
_base_ = ['./_base_/synthetic-cls_adamw_30e.py']

model = dict(
    _scope_='mmpretrain',
    type='ImageClassifier',
    backbone=dict(type='MobileNetV3', arch='large'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='StackedLinearClsHead',
        num_classes=_base_.num_classes,
        in_channels=960,
        mid_channels=[1280],
        dropout_rate=0.2,
        act_cfg=dict(type='HSwish'),
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
