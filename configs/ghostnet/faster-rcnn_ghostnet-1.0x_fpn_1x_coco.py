# Faster R-CNN-FPN with GhostNet-1.0x on the official ImageNet weights (top-1 73.98%)
# as they are: the 1.1x Table 8 config at the paper's ImageNet width. Not a
# row of Table 8. mmengine downloads the official state_dict_73.98.pth on
# first use (to ~/.cache/torch/hub); set checkpoint to a local copy where
# there is no network.
_base_ = './faster-rcnn_ghostnet-1.1x_fpn_1x_coco.py'

model = dict(
    backbone=dict(widen_factor=1.0, init_cfg=dict(widen=False)),
    neck=dict(in_channels=[24, 40, 112, 160]))
