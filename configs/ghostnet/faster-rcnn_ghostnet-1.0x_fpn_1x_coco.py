# Faster R-CNN-FPN with GhostNet-1.0x on the official ImageNet weights (top-1 73.98%),
# the route that runs today: no 1.1x ImageNet weights were ever published.
# Same as the 1.1x Table 8 config but the width. mmengine downloads the
# official state_dict_73.98.pth on first use (to ~/.cache/torch/hub); set
# checkpoint to a local copy where there is no network.
_base_ = './faster-rcnn_ghostnet-1.1x_fpn_1x_coco.py'

model = dict(
    backbone=dict(
        widen_factor=1.0,
        init_cfg=dict(
            checkpoint='https://github.com/huawei-noah/Efficient-AI-Backbones/'
            'raw/master/ghostnet_pytorch/models/state_dict_73.98.pth')),
    neck=dict(in_channels=[24, 40, 112, 160]))
