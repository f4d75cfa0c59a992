# The pretrained demo comparison (python tools/demo.py --compare --pretrain),
# stage 2: the GhostNet demo config (./faster-rcnn_ghostnet-1.1x_fpn_demo.py: data,
# input size, head) fine-tuned with Table 8's settings, those of
# ../ghostnet/faster-rcnn_ghostnet-1.1x_fpn_1x_coco.py: SGD with linear warm-up and
# steps at epochs 8 and 11 of 12, lr 0.02 for 16 images scaled to the batch
# (auto_scale_lr: 0.005 at the demo's 4), BatchNorm frozen (norm_eval), the
# backbone initialised from stage 1 (./pretrain/ghostnet-1.1x_synthetic-cls.py,
# every tensor; tools/demo.py --pretrain points it at its own checkpoint).
# tests/test_configs/test_configs.py diffs the built configs.
_base_ = ['./faster-rcnn_ghostnet-1.1x_fpn_demo.py']

model = dict(
    backbone=dict(
        norm_eval=True,
        init_cfg=dict(
            _delete_=True,
            type='Pretrained',
            checkpoint='work_dirs/demo/pretrain/ghostnet-1.1x/'
            'epoch_30.pth',
            prefix='backbone.')))
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=500),
    dict(type='MultiStepLR', begin=0, end=12, by_epoch=True,
         milestones=[8, 11], gamma=0.1)
]
auto_scale_lr = dict(enable=True, base_batch_size=16)
