"""``_base_ = 'ghost_det::...'`` in a config outside the checkout, after an
editable install (this environment's) and after a normal one."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests._demo_helpers import ROOT, tiny_dataset

BUILD = textwrap.dedent('''
    import sys
    import ghost_det
    from mmengine.config import Config
    from mmengine.registry import MODELS, init_default_scope
    cfg = Config.fromfile(sys.argv[1])
    init_default_scope(cfg.default_scope)
    model = MODELS.build(cfg.model)
    print('ghost_det from', ghost_det.__file__)
    print('built', type(model).__name__, type(model.backbone).__name__,
          model.bbox_head.num_classes)
    ''')


def user_config(folder: Path, base: str, extra: str = '') -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / 'my_detector.py'
    path.write_text(f'_base_ = {base!r}\n'
                    'model = dict(bbox_head=dict(num_classes=3))\n' + extra)
    return path


def run(args, cwd, env=None):
    result = subprocess.run([sys.executable, *map(str, args)], cwd=cwd,
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.mark.slow  # starts a process
def test_user_config_builds_from_another_folder(tmp_path):
    config = user_config(
        tmp_path / 'my_project',
        'ghost_det::ghostnet/retinanet_ghostnet-1.1x_fpn_1x_coco.py')
    (tmp_path / 'build.py').write_text(BUILD)
    out = run([tmp_path / 'build.py', config], cwd=config.parent)
    assert 'built RetinaNet GhostNet 3' in out


@pytest.mark.slow
def test_user_config_trains_from_another_folder(tmp_path):
    """Data, pipelines, optimizer and schedules of a ghost_det:: config are
    built in the ghost_det scope, which falls through to mmdet's."""
    data = tiny_dataset(tmp_path / 'data', num_train=4, num_val=2)
    config = user_config(
        tmp_path / 'my_project',
        'ghost_det::demo/retinanet_ghostnet-1.1x_fpn_demo.py', extra=(
            f"data_root = {str(data) + '/'!r}\n"
            "loader = dict(num_workers=0, persistent_workers=False, "
            "batch_size=2, dataset=dict(data_root=data_root))\n"
            "train_dataloader = loader\nval_dataloader = loader\n"
            "test_dataloader = loader\n"
            "val_evaluator = dict(ann_file=data_root + "
            "'annotations/instances_val.json')\n"
            "train_cfg = dict(max_epochs=1)\n"
            "model = dict(bbox_head=dict(num_classes=4))\n"
            "default_hooks = dict(checkpoint=dict(save_best=None))\n"))
    out = run([ROOT / 'tools/train.py', config, '--work-dir',
               tmp_path / 'work'], cwd=config.parent)
    assert (tmp_path / 'work' / 'epoch_1.pth').is_file(), out[-2000:]


@pytest.mark.slow
def test_normal_install_ships_the_configs(tmp_path):
    """pip install (not editable) into a folder: the configs travel inside
    the package, and ghost_det:: resolves to that copy."""
    target = tmp_path / 'site'
    run(['-m', 'pip', 'install', '-q', '--no-deps', '--no-build-isolation',
         '--no-compile', '--target', target, ROOT], cwd=tmp_path)
    shipped = target / 'ghost_det' / '.mim'
    assert (shipped / 'model-index.yml').is_file()
    assert (shipped / 'configs/ghostnet/retinanet_ghostnet-1.1x_fpn_1x_coco.py'
            ).is_file()
    assert not (shipped / 'configs').is_symlink()
    config = user_config(
        tmp_path / 'my_project',
        'ghost_det::ghostnet/retinanet_ghostnet-1.0x_fpn_1x_coco.py')
    (tmp_path / 'build.py').write_text(BUILD)
    env = dict(os.environ, PYTHONPATH=str(target))
    out = run([tmp_path / 'build.py', config], cwd=config.parent, env=env)
    assert f'ghost_det from {target}' in out
    assert 'built RetinaNet GhostNet 3' in out
