# GhostNet paper, Table 8: Faster R-CNN-FPN, GhostNet-1.1x, COCO 1x,
# with the 2014 split files the paper names: train on trainval35k (train2014 +
# valminusminival2014), evaluate on minival2014. The same images as
# train2017 / val2017: only the data differs from the 2017 config.
_base_ = [
    './faster-rcnn_ghostnet-1.1x_fpn_1x_coco.py', '../_base_/coco_2014_splits.py'
]

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            dict(split, pipeline=_base_.train_pipeline)
            for split in _base_.trainval35k
        ]))
val_dataloader = dict(dataset=_base_.minival2014)
test_dataloader = val_dataloader
val_evaluator = dict(
    ann_file=_base_.data_root_2014 + _base_.minival2014.ann_file)
test_evaluator = val_evaluator
