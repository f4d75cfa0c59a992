# COCO's 2014 split files, as the GhostNet paper names them: trainval35k
# (train2014 + valminusminival2014) for training, minival2014 for
# evaluation; the same images as train2017 / val2017. A COCO config moves to
# them with its own train pipeline, as ../ghostnet/*-trainval35k.py do.
data_root_2014 = 'data/coco/'
trainval35k = [
    dict(
        type='CocoDataset',
        data_root=data_root_2014,
        ann_file=f'annotations/instances_{split}.json',
        data_prefix=dict(img=f'{folder}/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=32))
    for split, folder in (('train2014', 'train2014'),
                          ('valminusminival2014', 'val2014'))
]
minival2014 = dict(
    data_root=data_root_2014,
    ann_file='annotations/instances_minival2014.json',
    data_prefix=dict(img='val2014/'))
