"""ghost_det, its configs and the MobileNetV3 baseline work where a
transformers >= 5 is installed that mmpretrain 1.2.0 cannot import."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


@pytest.fixture
def new_transformers(tmp_path):
    """A stand-in 'transformers 5.0.0'. mmdet and mmengine import it inside
    try/except ImportError; mmpretrain's multimodal helpers fail on it with a
    TypeError, as they do with the real transformers 5."""
    pkg = tmp_path / 'transformers'
    pkg.mkdir()
    (pkg / '__init__.py').write_text(textwrap.dedent('''
        __version__ = '5.0.0'

        def __getattr__(name):
            if name == 'AutoConfig':  # mmpretrain.models.utils.huggingface
                raise TypeError(f'simulated transformers 5 API break: {name}')
            raise ImportError(name)
        '''))
    meta = tmp_path / 'transformers-5.0.0.dist-info'
    meta.mkdir()
    (meta / 'METADATA').write_text(
        'Metadata-Version: 2.1\nName: transformers\nVersion: 5.0.0\n')
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    return env


def run(code: str, env):
    return subprocess.run([sys.executable, '-c', textwrap.dedent(code)],
                          cwd=ROOT, env=env, capture_output=True, text=True)


@pytest.mark.slow  # starts a process
def test_stand_in_reproduces_the_break(new_transformers):
    result = run('import mmdet.models', new_transformers)
    assert result.returncode != 0
    assert 'TypeError' in result.stderr


@pytest.mark.slow
def test_ghost_det_and_mobilenetv3_baseline_work(new_transformers):
    result = run('''
        import warnings
        warnings.simplefilter('always')
        import ghost_det
        import mmdet.models
        from mmengine.config import Config
        from mmengine.registry import init_default_scope
        from mmdet.registry import MODELS
        import torch
        init_default_scope('mmdet')
        cfg = Config.fromfile('configs/baselines/'
                              'retinanet_mobilenetv3-large-1.0x_fpn_1x_coco.py')
        model = MODELS.build(cfg.model).eval()
        feats = model.backbone(torch.zeros(1, 3, 64, 64))
        print('channels', [f.shape[1] for f in feats])
        from mmpretrain.registry import MODELS as PRETRAIN
        try:
            PRETRAIN.build(dict(type='mmpretrain.BlipCaption'))
        except ImportError as err:
            print('multimodal:', err)
    ''', new_transformers)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'channels [24, 40, 112, 160]' in result.stdout
    assert 'multi-modal dependencies' in result.stdout
    assert 'transformers 5.0.0 is installed' in result.stderr


def test_no_warning_without_transformers():
    from importlib import metadata

    from ghost_det.utils.mmpretrain_compat import transformers_too_new
    try:
        major = int(metadata.version('transformers').split('.')[0])
    except metadata.PackageNotFoundError:
        major = None
    assert transformers_too_new() == (major is not None and major >= 5)
