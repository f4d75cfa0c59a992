# GhostNet paper, Table 8: RetinaNet, GhostNet-1.1x, COCO 1x, with the 2014 split
# files the paper names: train on trainval35k (train2014 +
# valminusminival2014), evaluate on minival2014. The same images as
# train2017 / val2017: only the data differs from the 2017 config.
_base_ = './retinanet_ghostnet-1.1x_fpn_1x_coco.py'

data_root = 'data/coco/'
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            dict(
                type='CocoDataset',
                data_root=data_root,
                ann_file='annotations/instances_train2014.json',
                data_prefix=dict(img='train2014/'),
                filter_cfg=dict(filter_empty_gt=True, min_size=32),
                pipeline={{_base_.train_pipeline}}),
            dict(
                type='CocoDataset',
                data_root=data_root,
                ann_file='annotations/instances_valminusminival2014.json',
                data_prefix=dict(img='val2014/'),
                filter_cfg=dict(filter_empty_gt=True, min_size=32),
                pipeline={{_base_.train_pipeline}}),
        ]))
val_dataloader = dict(
    dataset=dict(
        ann_file='annotations/instances_minival2014.json',
        data_prefix=dict(img='val2014/')))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_minival2014.json')
test_evaluator = val_evaluator
