# A short ImageNet-1k fine-tune of GhostNet-1.1x from the official 1.0x
# weights widened to 1.1x (Net2Net, docs/weights.md), so that the extra
# width learns something before detection. The widened classifier starts at
# the 1.0x function (top-1 73.98%); make it once, head included:
#
#   python tools/model_converters/convert_ghostnet_weights.py state_dict_73.98.pth \
#       checkpoints/ghostnet-1.1x-widened_in1k.pth --widen-to 1.1 --noise 0.1
#   bash tools/dist_train.sh configs/pretrain/ghostnet-1.1x-widened_8xb128-30e_in1k.py 8
#   cp work_dirs/ghostnet-1.1x-widened_8xb128-30e_in1k/epoch_30.pth \
#       checkpoints/ghostnet-1.1x_in1k.pth
#
# The 300-epoch recipe with three changes: 30 epochs (a tenth), a tenth of
# its learning rate (0.04 at batch 1024: the network is trained already),
# and one epoch of linear warm-up in place of 5000 constant iterations
# (there is no random BatchNorm to settle), then the same linear decay to 0.
_base_ = './ghostnet-1.1x_8xb128_in1k.py'

load_from = 'checkpoints/ghostnet-1.1x-widened_in1k.pth'
optim_wrapper = dict(optimizer=dict(lr=0.04))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='PolyLR', eta_min=0, power=1.0, by_epoch=True, begin=1,
         end=30, convert_to_iter_based=True)
]
train_cfg = dict(max_epochs=30)
