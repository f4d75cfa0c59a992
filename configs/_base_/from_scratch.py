# A backbone trained from scratch (no ImageNet weights): Kaiming-initialised
# convolutions, BatchNorm trained. A config applies it with
#   model = dict(backbone=_base_.from_scratch)
from_scratch = dict(
    norm_eval=False,
    init_cfg=[
        dict(type='Kaiming', layer='Conv2d'),
        dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm'])
    ])
