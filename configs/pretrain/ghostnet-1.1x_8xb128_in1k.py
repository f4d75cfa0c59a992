# ImageNet-1k pretraining of GhostNet-1.1x, the backbone of the paper's
# Table 8 detectors, whose ImageNet weights were never published.
#
# The paper (Sec. 4.2) follows ShuffleNet's training settings except a
# learning rate of 0.4 at batch 1024 on 8 GPUs. mmpretrain ships that recipe
# for ShuffleNet: SGD momentum 0.9, weight decay 4e-5 with none on norm
# layers, a linear decay to 0 after 5000 constant warm-up iterations,
# 300 epochs, RandomResizedCrop + flip (its imagenet_bs64_pil_resize data).
# We take it whole and change the learning rate (0.5 -> 0.4) and the batch
# (64 -> 128 per GPU: 8 x 128 = 1024). The model is the official classifier
# (ghost_det.models.classifier.ghostnet_classifier_cfg): GhostNet, global
# pooling, 1x1 conv 1280 + ReLU + dropout 0.2, FC 1000.
#
#   python tools/train.py configs/pretrain/ghostnet-1.1x_8xb128_in1k.py
#   bash tools/dist_train.sh configs/pretrain/ghostnet-1.1x_8xb128_in1k.py 8
#
# The last checkpoint initialises the 1.1x detectors in place of the widened
# 1.0x weights they start from by default:
#   --cfg-options model.backbone.init_cfg.checkpoint=\
#   work_dirs/ghostnet-1.1x_8xb128_in1k/epoch_300.pth
_base_ = [
    'mmpretrain::_base_/datasets/imagenet_bs64_pil_resize.py',
    'mmpretrain::_base_/schedules/imagenet_bs1024_linearlr_bn_nowd.py',
    'mmpretrain::_base_/default_runtime.py'
]
custom_imports = dict(imports=['ghost_det'], allow_failed_imports=False)

model = dict(
    _scope_='mmpretrain',  # also when read as ghost_det::pretrain/...
    type='ImageClassifier',
    backbone=dict(type='GhostNet', widen_factor=1.1, out_indices=(9, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='StackedLinearClsHead',
        num_classes=1000,
        in_channels=1056,  # blocks.9 width at 1.1x
        mid_channels=[1280],
        dropout_rate=0.2,
        act_cfg=dict(type='ReLU'),
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))

train_dataloader = dict(batch_size=128)
val_dataloader = dict(batch_size=128)
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(lr=0.4))
