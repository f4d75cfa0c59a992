# RetinaNet-FPN with GhostNetV3-1.0x on timm's ImageNet weights
# (ghostnetv3_100.in1k): the GhostNet paper's Table 8 config (COCO 1x,
# train2017 / val2017) with another backbone. GhostNetV3 is GhostNetV2 trained
# with re-parameterisable branches (merged by switch_to_deploy / tools/test.py
# --deploy). The weights download on first use (to
# ~/.cache/torch/hub/checkpoints); without a network, set checkpoint to a
# local copy of model.safetensors.
_base_ = '../ghostnet/retinanet_ghostnet-1.1x_fpn_1x_coco.py'

model = dict(
    backbone=dict(
        type='GhostNetV3',
        widen_factor=1.0,
        init_cfg=dict(
            checkpoint='https://huggingface.co/timm/ghostnetv3_100.in1k/'
            'resolve/main/model.safetensors',
            widen=False)),
    neck=dict(in_channels=[24, 40, 112, 160]))
