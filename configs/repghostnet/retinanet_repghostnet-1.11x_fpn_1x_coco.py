# RetinaNet-FPN with RepGhostNet-1.11x on timm's ImageNet weights
# (repghostnet_111.in1k): the GhostNet paper's Table 8 config (COCO 1x,
# train2017 / val2017) with another backbone. RepGhostNet-1.11x has
# GhostNet-1.1x's FLOPs and stage-end channels. The weights download on first
# use (to ~/.cache/torch/hub/checkpoints); without a network, set checkpoint
# to a local copy of model.safetensors.
_base_ = '../ghostnet/retinanet_ghostnet-1.1x_fpn_1x_coco.py'

model = dict(
    backbone=dict(
        type='RepGhostNet',
        widen_factor=1.11,
        init_cfg=dict(
            checkpoint='https://huggingface.co/timm/repghostnet_111.in1k/'
            'resolve/main/model.safetensors',
            widen=False)),
    neck=dict(in_channels=[28, 44, 124, 176]))
