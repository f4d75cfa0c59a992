# mmdet's RetinaNet-FPN (P3-P7) with GhostNet-1.1x in place of ResNet-50.
_base_ = 'mmdet::_base_/models/retinanet_r50_fpn.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='GhostNet',
        widen_factor=1.1,
        out_indices=(2, 4, 6, 8),  # stage ends, strides 4/8/16/32
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=True,
        # The official 1.0x ImageNet weights (top-1 73.98%) widened to 1.1x
        # on load (Net2Net, docs/weights.md): the 1.0x function in 1.1x's
        # shape, not the paper's 1.1x ImageNet training (never published).
        # Noise breaks the symmetry of the copies and keeps the function.
        # Downloaded once to ~/.cache/torch/hub/checkpoints. For a true 1.1x
        # ImageNet checkpoint, one line (it fits, so nothing is widened):
        #   --cfg-options \
        #   model.backbone.init_cfg.checkpoint=checkpoints/ghostnet-1.1x_in1k.pth
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/huawei-noah/Efficient-AI-Backbones/'
            'raw/master/ghostnet_pytorch/models/state_dict_73.98.pth',
            prefix='backbone.',
            widen=dict(noise=0.1, seed=0))),
    neck=dict(in_channels=[28, 44, 124, 176]))
