"""Installing into an environment that has the stack, running without
mmpretrain, and mmdet's own tools on our configs."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import mmdet
import pytest

from tests._demo_helpers import ROOT, tiny_config, tiny_dataset

pytestmark = pytest.mark.slow  # starts pip and the tools as processes

# In a process started with this on its path, mmpretrain is not installed
# as far as Python, importlib.metadata and ghost_det can tell.
WITHOUT_MMPRETRAIN = '''
import importlib.metadata as metadata
import sys
sys.modules['mmpretrain'] = None
_distribution = metadata.distribution
def distribution(name):
    if name.lower().replace('_', '-') == 'mmpretrain':
        raise metadata.PackageNotFoundError(name)
    return _distribution(name)
metadata.distribution = distribution
'''


def run(*args, env=None, cwd=ROOT):
    return subprocess.run([sys.executable, *map(str, args)], cwd=cwd,
                          env=env, capture_output=True, text=True)


def test_dry_run_install_changes_nothing_but_ghost_det(tmp_path):
    """pip install --no-build-isolation -e . in this environment (which has
    torch, mmcv, mmdet): nothing but ghost_det itself would be installed."""
    report = tmp_path / 'report.json'
    result = run('-m', 'pip', 'install', '--dry-run', '--no-build-isolation',
                 '-e', '.', '--report', report, '-q')
    assert result.returncode == 0, result.stderr[-3000:]
    names = [p['metadata']['name'] for p in
             json.loads(report.read_text())['install']]
    assert names == ['ghost_det'], names


@pytest.fixture(scope='module')
def without_mmpretrain(tmp_path_factory):
    folder = tmp_path_factory.mktemp('site')
    (folder / 'sitecustomize.py').write_text(WITHOUT_MMPRETRAIN)
    return dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(folder), str(ROOT)]))


def test_ghostnet_detectors_tools_and_deploy_work_without_mmpretrain(
        without_mmpretrain, tmp_path):
    env = without_mmpretrain
    result = run('-c', textwrap.dedent('''
        from ghost_det.utils.mmpretrain_compat import import_mmpretrain
        assert import_mmpretrain() is None
        from mmengine.config import Config
        from mmengine.registry import init_default_scope
        from mmdet.registry import MODELS
        import ghost_det
        init_default_scope('mmdet')
        for family in ('ghostnet/retinanet_ghostnet-1.1x',
                       'repghostnet/faster-rcnn_repghostnet-1.11x',
                       'ghostnetv2/retinanet_ghostnetv2-1.0x',
                       'ghostnetv3/retinanet_ghostnetv3-1.0x'):
            cfg = Config.fromfile(f'configs/{family}_fpn_1x_coco.py')
            print(type(MODELS.build(cfg.model).backbone).__name__)
        '''), env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ['GhostNet', 'RepGhostNet', 'GhostNetV2',
                                     'GhostNetV3']
    data = tiny_dataset(tmp_path / 'data', num_train=4, num_val=2)
    config = tiny_config(tmp_path, data, max_epochs=1, val_interval=10)
    result = run('tools/train.py', config, '--work-dir', tmp_path / 'work',
                 env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    result = run('tools/infer.py', data / 'val', config, '--weights',
                 tmp_path / 'work/epoch_1.pth', '--out-dir', tmp_path / 'out',
                 '--backend', 'onnxruntime', env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(list((tmp_path / 'out/preds').glob('*.json'))) == 2


@pytest.mark.parametrize('config', [
    'configs/baselines/retinanet_mobilenetv3-large-1.0x_fpn_1x_coco.py',
    'configs/pretrain/ghostnet-1.1x_8xb128_in1k.py'])
def test_what_needs_mmpretrain_says_so_without_it(without_mmpretrain,
                                                  tmp_path, config):
    result = run('tools/train.py', config, '--work-dir', tmp_path,
                 env=without_mmpretrain)
    assert result.returncode != 0
    assert f'error: {config}: it needs mmpretrain' in result.stderr
    assert 'pip install "mmpretrain>=1.2.0,<1.3.0"' in result.stderr


def test_mmdet_own_tools_train_and_test_our_configs(tmp_path):
    """mmdet's tools/train.py and tools/test.py (shipped in mmdet/.mim)
    read an in-repo config before any import of ours; its custom_imports
    bring ghost_det in."""
    tools = Path(mmdet.__file__).parent / '.mim' / 'tools'
    data = tiny_dataset(tmp_path / 'data', num_train=4, num_val=2)
    config = tiny_config(tmp_path, data, max_epochs=1)
    work = tmp_path / 'work'
    result = run(tools / 'train.py', config, '--work-dir', work)
    assert result.returncode == 0, result.stderr[-3000:]
    result = run(tools / 'test.py', config, work / 'epoch_1.pth',
                 '--work-dir', tmp_path / 'test')
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    assert 'coco/bbox_mAP' in out
