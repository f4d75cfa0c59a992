# What the detection-scale comparison shares (python tools/demo.py --scale
# detection, for a CUDA machine): the 20-class synthetic set that tools/demo.py
# makes in data/synthetic_shapes20/ (10k train, 1k val images around
# 1333x800, COCO's share of small/medium/large objects), mmdet's COCO
# pipeline and 1x schedule (SGD, warm-up, steps at epochs 8 and 11 of 12) as
# in the Table 8 COCO configs, 16 images a batch on one GPU, backbones from
# scratch, gradients clipped (from scratch, early steps can blow up).
_base_ = [
    'mmdet::_base_/datasets/coco_detection.py',
    '../../_base_/schedule_1x.py',
    '../../_base_/default_runtime.py',
    '../../_base_/from_scratch.py'
]
custom_imports = dict(imports=['ghost_det'], allow_failed_imports=False)

data_root = 'data/synthetic_shapes20/'
metainfo = dict(classes=(
    'circle',
    'square',
    'triangle',
    'cross',
    'pentagon',
    'star',
    'bar',
    'L',
    'T',
    'arrow',
    'hollow circle',
    'hollow square',
    'hollow triangle',
    'hollow cross',
    'hollow pentagon',
    'hollow star',
    'hollow bar',
    'hollow L',
    'hollow T',
    'hollow arrow'))
train_dataloader = dict(
    batch_size=16,
    num_workers=8,
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/instances_train.json',
        data_prefix=dict(img='train/')))
val_dataloader = dict(
    batch_size=8,
    num_workers=4,
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/instances_val.json',
        data_prefix=dict(img='val/')))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val.json')
test_evaluator = val_evaluator

optim_wrapper = dict(clip_grad=dict(max_norm=35, norm_type=2))
# the learning rates of the COCO configs are for 16 images a batch
auto_scale_lr = dict(enable=True, base_batch_size=16)
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=2))
