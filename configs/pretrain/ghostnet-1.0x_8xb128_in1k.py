# ImageNet-1k pretraining of GhostNet-1.0x: the 1.1x recipe at another width.
_base_ = './ghostnet-1.1x_8xb128_in1k.py'

model = dict(
    backbone=dict(widen_factor=1.0),
    head=dict(in_channels=960))  # blocks.9 width at 1.0x
