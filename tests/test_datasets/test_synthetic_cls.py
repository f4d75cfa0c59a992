"""The demo's pretraining data: 40 shape x texture classes in mmpretrain's
folder layout, the same bytes for the same options."""
import hashlib
from dataclasses import replace

from ghost_det.datasets.synthetic_cls import (
    CLS_CLASSES,
    SyntheticClsConfig,
    ensure_synthetic_cls,
    make_crop,
)

SMALL = SyntheticClsConfig(train_per_class=2, val_per_class=1)


def digest(root):
    return {p.relative_to(root).as_posix(): hashlib.md5(
        p.read_bytes()).hexdigest() for p in sorted(root.rglob('*.png'))}


def test_folder_layout_and_the_same_bytes_for_the_same_options(tmp_path):
    a, b = tmp_path / 'a', tmp_path / 'b'
    assert ensure_synthetic_cls(a, SMALL)
    assert not ensure_synthetic_cls(a, SMALL)  # made already
    ensure_synthetic_cls(b, SMALL)
    files = digest(a)
    assert files == digest(b)
    assert len(CLS_CLASSES) == 40
    for split, per_class in (('train', 2), ('val', 1)):
        folders = sorted(p.name for p in (a / split).iterdir())
        assert folders == list(CLS_CLASSES)  # sorted in class order
        for name in CLS_CLASSES:
            assert len(list((a / split / name).glob('*.png'))) == per_class
    # another seed, other images; train and val differ
    other = tmp_path / 'c'
    ensure_synthetic_cls(other, replace(SMALL, seed=1))
    assert set(digest(other).values()).isdisjoint(files.values())
    assert make_crop('train', 0, SMALL)[0].tobytes() != make_crop(
        'val', 0, SMALL)[0].tobytes()


def test_crop_sizes_and_labels():
    cfg = SyntheticClsConfig()
    for index in range(80):
        img, label = make_crop('train', index, cfg)
        assert label == index % 40
        assert all(64 <= s <= 96 for s in img.size)
        assert len(set(img.getdata())) > 50  # textured, not flat


def test_mmpretrain_reads_the_layout(tmp_path):
    import pytest
    pytest.importorskip('mmpretrain')
    from mmpretrain.datasets import CustomDataset
    ensure_synthetic_cls(tmp_path, SMALL)
    dataset = CustomDataset(data_root=str(tmp_path), data_prefix='train',
                            metainfo=dict(classes=CLS_CLASSES),
                            pipeline=[], lazy_init=False)
    assert len(dataset) == 80
    labels = sorted(dataset.get_data_info(i)['gt_label']
                    for i in range(len(dataset)))
    assert labels == sorted(list(range(40)) * 2)
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        assert f'/{CLS_CLASSES[info["gt_label"]]}/' in info['img_path']
