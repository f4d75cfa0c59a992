"""tools/train.py and tools/test.py on a tiny synthetic dataset: training
lowers the loss, evaluation is pycocotools mAP, test.py reproduces the
mAP of the end-of-training evaluation, and resume restores the state."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from tests._demo_helpers import ROOT, tiny_config, tiny_dataset

pytestmark = pytest.mark.slow  # starts the tools as processes


def run_tool(*args, check=True):
    result = subprocess.run([sys.executable, *map(str, args)], cwd=ROOT,
                            capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(result.stdout[-3000:] + result.stderr[-3000:])
    return result


def logged_records(work_dir: Path, pattern: str = 'vis_data/scalars.json'):
    """Records of mmengine's json logs (training: scalars.json; test runs
    log their metrics to <timestamp>.json)."""
    records = []
    for log in sorted(work_dir.rglob(pattern)):
        for line in log.read_text().splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return records


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """Two epochs of tools/train.py; evaluation after each epoch."""
    tmp = tmp_path_factory.mktemp('train')
    data = tiny_dataset(tmp / 'data')
    config = tiny_config(tmp, data, max_epochs=2)
    work_dir = tmp / 'work'
    run_tool('tools/train.py', config, '--work-dir', work_dir)
    return dict(config=config, work_dir=work_dir, data=data)


def test_training_writes_checkpoints_and_evaluates(trained):
    work_dir = trained['work_dir']
    assert (work_dir / 'epoch_1.pth').is_file()
    assert (work_dir / 'epoch_2.pth').is_file()
    metrics = [r for r in logged_records(work_dir) if 'coco/bbox_mAP' in r]
    assert len(metrics) == 2  # one evaluation per epoch
    assert all(0.0 <= r['coco/bbox_mAP'] <= 1.0 for r in metrics)


def test_test_tool_reproduces_end_of_training_map(trained, tmp_path):
    final = [r for r in logged_records(trained['work_dir'])
             if 'coco/bbox_mAP' in r][-1]
    result = run_tool('tools/test.py', trained['config'],
                      trained['work_dir'] / 'epoch_2.pth',
                      '--work-dir', tmp_path / 'test',
                      '--out', tmp_path / 'preds.pkl')
    assert 'Weights only load failed' not in result.stdout + result.stderr
    tested = [r for r in logged_records(tmp_path / 'test', '*.json')
              if 'coco/bbox_mAP' in r]
    assert len(tested) == 1
    for key in ('coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/bbox_mAP_75'):
        assert tested[0][key] == pytest.approx(final[key], abs=1e-3), key
    assert (tmp_path / 'preds.pkl').is_file()


def same_map_as_training(run: dict, checkpoint: str, tmp_path: Path,
                         args) -> str:
    """tools/test.py ``args`` on ``run``'s ``checkpoint``: the mAP of the
    last end-of-training evaluation within 2e-3; returns the output."""
    final = [r for r in logged_records(run['work_dir'])
             if 'coco/bbox_mAP' in r][-1]
    result = run_tool('tools/test.py', run['config'],
                      run['work_dir'] / checkpoint,
                      '--work-dir', tmp_path / 'test', *args)
    tested = [r for r in logged_records(tmp_path / 'test', '*.json')
              if 'coco/bbox_mAP' in r]
    for key in ('coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/bbox_mAP_75'):
        assert tested[0][key] == pytest.approx(final[key], abs=2e-3), key
    return result.stdout + result.stderr


@pytest.mark.parametrize('args,message', [
    (['--deploy'], 'GhostNet layout fold'),
    (['--backend', 'onnxruntime'], 'run by onnxruntime'),
    (['--backend', 'openvino', '--layout', 'pad16-split'],
     'layout pad16-split; exported to'),
])
def test_test_tool_deploy_gives_the_same_map(trained, tmp_path, args,
                                             message):
    output = same_map_as_training(trained, 'epoch_2.pth', tmp_path, args)
    assert 'deployed model: BatchNorm folded' in output
    assert message in output


@pytest.fixture(scope='module')
def trained_v3(tmp_path_factory):
    """A GhostNetV3 RetinaNet after one epoch of tools/train.py."""
    tmp = tmp_path_factory.mktemp('train_v3')
    data = tiny_dataset(tmp / 'data')
    config = tiny_config(tmp, data, 'retinanet-ghostnetv3', max_epochs=1)
    work_dir = tmp / 'work'
    run_tool('tools/train.py', config, '--work-dir', work_dir)
    return dict(config=config, work_dir=work_dir)


@pytest.mark.parametrize('args', [['--deploy'], ['--backend', 'openvino']])
def test_ghostnetv3_deploy_gives_the_same_map(trained_v3, tmp_path, args):
    """Trained BatchNorm statistics and branches merge exactly."""
    output = same_map_as_training(trained_v3, 'epoch_1.pth', tmp_path, args)
    assert 'GhostNetV3 by its switch_to_deploy()' in output


def test_resume_restores_epoch_iteration_optimizer_and_lr(trained, tmp_path):
    from mmengine.config import Config
    from mmengine.runner import Runner

    import ghost_det  # noqa: F401  (safe checkpoint loading)
    ckpt_path = trained['work_dir'] / 'epoch_1.pth'
    # the safe loader reads mmengine's checkpoint without weights_only=False
    ckpt = torch.load(ckpt_path, map_location='cpu', weights_only=True)

    cfg = Config.fromfile(str(trained['config']))
    cfg.work_dir = str(tmp_path / 'resumed')
    cfg.resume, cfg.load_from = True, str(ckpt_path)
    runner = Runner.from_cfg(cfg)
    # the order of Runner.train(): optimizer, schedulers, then resume
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    runner.param_schedulers = runner.build_param_scheduler(
        runner.param_schedulers)
    runner.load_or_resume()
    assert runner.epoch == ckpt['meta']['epoch'] == 1
    assert runner.iter == ckpt['meta']['iter'] > 0
    saved_opt = ckpt['optimizer']
    live_opt = runner.optim_wrapper.state_dict()
    assert live_opt['param_groups'][0]['lr'] == pytest.approx(
        saved_opt['param_groups'][0]['lr'])
    saved_state = next(iter(saved_opt['state'].values()))
    live_state = next(iter(live_opt['state'].values()))
    for key in saved_state:
        assert torch.equal(torch.as_tensor(saved_state[key]),
                           torch.as_tensor(live_state[key])), key
    for live, saved in zip(runner.param_schedulers,
                           ckpt['param_schedulers']):
        state = live.state_dict()
        assert state['last_step'] == saved['last_step'] > 0
        assert state['_global_step'] == saved['_global_step']
        assert state['_last_value'] == pytest.approx(saved['_last_value'])


def test_killed_run_resumes_from_last_checkpoint(trained, tmp_path):
    """--resume with no path continues from the work dir's last checkpoint
    and runs only the epochs that are left."""
    import shutil
    work_dir = tmp_path / 'work'
    work_dir.mkdir()
    shutil.copy(trained['work_dir'] / 'epoch_1.pth', work_dir)
    (work_dir / 'last_checkpoint').write_text(str(work_dir / 'epoch_1.pth'))
    result = run_tool('tools/train.py', trained['config'], '--work-dir',
                      work_dir, '--resume')
    out = result.stdout + result.stderr
    assert 'resumed epoch: 1' in out
    assert 'Epoch(train)   [1]' not in out and 'Epoch(train) [1]' not in out
    assert (work_dir / 'epoch_2.pth').is_file()


def test_training_lowers_the_loss(tmp_path):
    from mmengine.config import Config
    from mmengine.runner import Runner

    data = tiny_dataset(tmp_path / 'data', num_train=8, num_val=4)
    cfg = Config.fromfile(str(tiny_config(tmp_path, data, batch_size=8)))
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    runner.model.init_weights()
    model = runner.model.train()
    batch = next(iter(runner.train_dataloader))
    optim = runner.build_optim_wrapper(cfg.optim_wrapper)

    def loss_on_batch():
        data = model.data_preprocessor(batch, True)
        losses = model(**data, mode='loss')
        return model.parse_losses(losses)[0]

    with torch.no_grad():
        before = float(loss_on_batch())
    for _ in range(12):
        optim.update_params(loss_on_batch())
    with torch.no_grad():
        after = float(loss_on_batch())
    assert after < 0.8 * before, (before, after)


def test_train_tool_missing_config_is_clear(tmp_path):
    result = run_tool('tools/train.py', tmp_path / 'nope.py', check=False)
    assert result.returncode != 0
    assert 'config file' in result.stderr and 'not found' in result.stderr


def test_wrong_width_weights_stop_training_before_the_first_iteration(
        trained, tmp_path):
    """A 1.0x ImageNet checkpoint under the 1.1x config: tools/train.py
    stops with the width and the fix, and trains nothing."""
    from tests._timm_reference import randomised_timm_ghostnet
    weights = tmp_path / 'state_dict_73.98.pth'
    torch.save(randomised_timm_ghostnet(1.0).state_dict(), weights)
    config = tmp_path / 'pretrained.py'
    config.write_text(
        f"_base_ = {str(trained['config'])!r}\n"
        f"model = dict(backbone=dict(init_cfg=dict(_delete_=True, "
        f"type='Pretrained', checkpoint={str(weights)!r}, "
        f"prefix='backbone.')))\n")
    work_dir = tmp_path / 'work'
    result = run_tool('tools/train.py', config, '--work-dir', work_dir,
                      check=False)
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert 'PretrainedWeightsError' in out
    assert 'GhostNet-1.0x; the config asks for 1.1x' in out
    assert 'Epoch(train)' not in out
    assert not list(work_dir.glob('*.pth'))


def tiny_pretrain_config(tmp_path: Path, recipe: str, data: Path,
                         extra: str = '') -> Path:
    """configs/pretrain/<recipe> on a tiny ImageNet folder: one epoch of
    4-image batches, no workers, a log line per iteration."""
    config = tmp_path / f'tiny_{recipe}'
    config.write_text(textwrap.dedent(f'''
        _base_ = {str(ROOT / 'configs/pretrain' / recipe)!r}
        loader = dict(batch_size=4, num_workers=0, persistent_workers=False,
                      dataset=dict(data_root={str(data)!r}))
        train_dataloader = loader
        val_dataloader = loader
        test_dataloader = loader
        train_cfg = dict(max_epochs=1)
        default_hooks = dict(logger=dict(interval=1))
        ''') + textwrap.dedent(extra) + '\n')
    return config


def test_pretraining_config_trains_and_initialises_the_11x_detector(
        tmp_path):
    """configs/pretrain/ghostnet-1.1x_8xb128_in1k.py trains a few
    iterations on a tiny ImageNet folder through tools/train.py, and its
    checkpoint initialises the 1.1x RetinaNet with every backbone tensor."""
    from mmdet.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from tests._demo_helpers import tiny_imagenet
    data = tiny_imagenet(tmp_path / 'imagenet')
    work_dir = tmp_path / 'work'
    # the 5000-iteration warm-up and linear decay squeezed into 2 iterations
    config = tiny_pretrain_config(
        tmp_path, 'ghostnet-1.1x_8xb128_in1k.py', data, """
        param_scheduler = [
            dict(type='ConstantLR', factor=0.1, by_epoch=False, begin=0, end=1),
            dict(type='PolyLR', eta_min=0, by_epoch=False, begin=1)
        ]""")
    result = run_tool('tools/train.py', config, '--work-dir', work_dir)
    out = result.stdout + result.stderr
    assert 'Epoch(train) [1][2/2]' in out
    assert 'accuracy/top1' in out
    checkpoint = work_dir / 'epoch_1.pth'
    saved = torch.load(checkpoint, map_location='cpu',
                       weights_only=True)['state_dict']

    cfg = Config.fromfile(
        str(ROOT / 'configs/ghostnet/retinanet_ghostnet-1.1x_fpn_1x_coco.py'))
    cfg.model.backbone.init_cfg.checkpoint = str(checkpoint)
    init_default_scope('mmdet')
    detector = MODELS.build(cfg.model)
    detector.init_weights()
    backbone = detector.backbone.state_dict()
    assert len(backbone) == 508
    for key, value in backbone.items():
        assert torch.equal(value, saved['backbone.' + key]), key


@pytest.mark.parametrize('detector', ['retinanet', 'faster-rcnn'])
def test_table8_11x_config_trains_from_the_widened_official_weights(
        detector, official_weights_server, tmp_path):
    """tools/train.py on the Table 8 GhostNet-1.1x COCO config, its data
    swapped for four tiny images: the official 1.0x file is downloaded
    from its address, widened to 1.1x with every backbone tensor loaded,
    and training starts."""
    data = tiny_dataset(tmp_path / 'data', num_train=4, num_val=2)
    config = tmp_path / f'{detector}_widened.py'
    base = ROOT / f'configs/ghostnet/{detector}_ghostnet-1.1x_fpn_1x_coco.py'
    config.write_text(textwrap.dedent(f'''
        _base_ = {str(base)!r}
        train_dataloader = dict(
            batch_size=2, num_workers=0, persistent_workers=False,
            dataset=dict(
                data_root={str(data) + '/'!r},
                metainfo=dict(classes=('circle', 'square', 'triangle',
                                       'cross')),
                ann_file='annotations/instances_train.json',
                data_prefix=dict(img='train/'),
                pipeline=[
                    dict(type='LoadImageFromFile'),
                    dict(type='LoadAnnotations', with_bbox=True),
                    dict(type='Resize', scale=(320, 320), keep_ratio=True),
                    dict(type='PackDetInputs')
                ]))
        train_cfg = dict(max_epochs=1)
        val_dataloader = val_evaluator = val_cfg = None
        test_dataloader = test_evaluator = test_cfg = None
        default_hooks = dict(logger=dict(interval=1))
        '''))
    env = dict(os.environ, TORCH_HOME=str(tmp_path / 'torch'))
    result = subprocess.run(
        [sys.executable, 'tools/train.py', str(config), '--work-dir',
         str(tmp_path / 'work'), '--cfg-options',
         f'model.backbone.init_cfg.checkpoint={official_weights_server}'],
        cwd=ROOT, capture_output=True, text=True, env=env)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    assert (f'GhostNet: loaded all 508 backbone tensors from '
            f'{official_weights_server}') in out
    assert 'widened from 1.0x (noise 0.1)' in out
    assert 'Epoch(train) [1][2/2]' in out
    assert (tmp_path / 'torch/hub/checkpoints/state_dict_73.98.pth').is_file()


def test_widened_finetune_recipe_trains_from_the_converted_classifier(
        tmp_path):
    """configs/pretrain/ghostnet-1.1x-widened_8xb128-30e_in1k.py: the
    converter widens an official-layout 1.0x file to a 1.1x classifier
    checkpoint, and the recipe loads it whole (head included) and trains
    two iterations on a tiny ImageNet folder."""
    from tests._demo_helpers import tiny_imagenet
    from tests._timm_reference import randomised_timm_ghostnet
    official = tmp_path / 'state_dict_73.98.pth'
    torch.save(randomised_timm_ghostnet(1.0, seed=2).state_dict(), official)
    widened = tmp_path / 'ghostnet-1.1x-widened_in1k.pth'
    run_tool('tools/model_converters/convert_ghostnet_weights.py', official,
             widened, '--widen-to', '1.1', '--noise', '0.1')
    data = tiny_imagenet(tmp_path / 'imagenet')
    config = tiny_pretrain_config(
        tmp_path, 'ghostnet-1.1x-widened_8xb128-30e_in1k.py', data,
        f"load_from = {str(widened)!r}")
    result = run_tool('tools/train.py', config, '--work-dir',
                      tmp_path / 'work')
    out = result.stdout + result.stderr
    assert f'Load checkpoint from {widened}' in out
    assert 'do not match exactly' not in out
    assert 'Epoch(train) [1][2/2]' in out
    assert 'accuracy/top1' in out
