# Stage 1 of the pretrained demo comparison: mmdet's MobileNetV2 1.0x (the
# detection baseline's class, so its weights load there as they are) with
# MobileNetV2's classifier head (its 1280 conv is in the backbone: global
# pooling, FC), 40 classes.
_base_ = ['./_base_/synthetic-cls_adamw_30e.py']

model = dict(
    _scope_='mmpretrain',
    type='ImageClassifier',
    backbone=dict(type='mmdet.MobileNetV2', widen_factor=1.0,
                  out_indices=(7, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=_base_.num_classes,
        in_channels=1280,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
