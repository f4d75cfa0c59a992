"""Small synthetic datasets and configs for training tests."""
import textwrap
from pathlib import Path

from ghost_det.datasets import SyntheticCocoConfig, make_synthetic_coco

ROOT = Path(__file__).parents[1]
DEMO_CONFIGS = {
    'retinanet': ROOT / 'configs/demo/retinanet_ghostnet-1.1x_fpn_demo.py',
    'faster-rcnn': ROOT / 'configs/demo/faster-rcnn_ghostnet-1.1x_fpn_demo.py',
    'retinanet-ghostnetv3':
    ROOT / 'configs/demo/retinanet_ghostnetv3-1.0x_fpn_demo.py',
}


# tools/demo.py --cfg-options for a one-epoch run on a tiny dataset
QUICK = ['train_cfg.max_epochs=1', 'default_hooks.checkpoint.save_best=None',
         'model.test_cfg.score_thr=0.0'] + [
    f'{split}_dataloader.{key}' for split in ('train', 'val', 'test')
    for key in ('num_workers=0', 'persistent_workers=False')]


def tiny_dataset(root: Path, num_train: int = 16, num_val: int = 8) -> Path:
    cfg = SyntheticCocoConfig(num_train=num_train, num_val=num_val,
                              image_size=(128, 128), max_size=80,
                              min_size=12, seed=5)
    make_synthetic_coco(root, cfg)
    return root


def tiny_config(tmp_path: Path, data_root: Path, detector='retinanet',
                max_epochs: int = 2, val_interval: int = 1,
                batch_size: int = 4) -> Path:
    """A demo config on a tiny dataset, 128x128 inputs, no workers."""
    text = f'''
    _base_ = {str(DEMO_CONFIGS[detector])!r}
    data_root = {str(data_root) + '/'!r}
    img_scale = (128, 128)
    train_pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations', with_bbox=True),
        dict(type='Resize', scale=img_scale, keep_ratio=True),
        dict(type='PackDetInputs')
    ]
    test_pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale=img_scale, keep_ratio=True),
        dict(type='LoadAnnotations', with_bbox=True),
        dict(type='PackDetInputs', meta_keys=('img_id', 'img_path',
             'ori_shape', 'img_shape', 'scale_factor'))
    ]
    train_dataloader = dict(
        batch_size={batch_size}, num_workers=0, persistent_workers=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(data_root=data_root, pipeline=train_pipeline))
    val_dataloader = dict(
        batch_size=4, num_workers=0, persistent_workers=False,
        dataset=dict(data_root=data_root, pipeline=test_pipeline))
    test_dataloader = val_dataloader
    val_evaluator = dict(ann_file=data_root + 'annotations/instances_val.json')
    test_evaluator = val_evaluator
    max_epochs = {max_epochs}
    train_cfg = dict(max_epochs=max_epochs, val_interval={val_interval})
    param_scheduler = [
        dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
             end=4),
        dict(type='MultiStepLR', milestones=[1], gamma=0.5, by_epoch=True,
             begin=0, end=max_epochs)
    ]
    # a few iterations leave every score under the default 0.05 threshold,
    # and CocoMetric reports nothing for an empty result
    model = dict(test_cfg=dict(score_thr=0.0))
    default_hooks = dict(logger=dict(interval=1),
                         checkpoint=dict(interval=1, save_best=None))
    '''
    path = tmp_path / f'tiny_{detector}.py'
    path.write_text(textwrap.dedent(text))
    return path


def tiny_imagenet(root: Path, num_train: int = 8, num_val: int = 4,
                  size: int = 64) -> Path:
    """An ImageNet folder as mmpretrain reads it: train/<wnid>/*.JPEG,
    flat val/*.JPEG, and meta/train.txt, meta/val.txt ("path label")."""
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(0)
    (root / 'meta').mkdir(parents=True, exist_ok=True)
    for split, count in (('train', num_train), ('val', num_val)):
        lines = []
        for i in range(count):
            label = int(rng.integers(0, 1000))
            name = (f'n{label:08d}/n{label:08d}_{i}.JPEG' if split == 'train'
                    else f'ILSVRC2012_val_{i + 1:08d}.JPEG')
            path = root / split / name
            path.parent.mkdir(parents=True, exist_ok=True)
            pixels = rng.integers(0, 255, (size, size + 16, 3), np.uint8)
            Image.fromarray(pixels).save(path, quality=90)
            lines.append(f'{name} {label}')
        (root / 'meta' / f'{split}.txt').write_text('\n'.join(lines) + '\n')
    return root
