"""The demo's ablations: each merges into every from-scratch demo config
and changes what its description says, nothing else; the command runs one
into its own work dir."""
import inspect
import json
import math
import subprocess
import sys
from types import SimpleNamespace

import pytest
import torch
from mmdet.registry import HOOKS, MODELS
from mmengine.logging import MMLogger

from ghost_det.apis.ablations import ABLATIONS
from ghost_det.apis.demo import BACKBONES
from ghost_det.models import GhostNet
from ghost_det.models.layers.squeeze_excite import SqueezeExcite
from ghost_det.utils.mmpretrain_compat import read_config
from tests._demo_helpers import QUICK, ROOT, tiny_dataset
from tests._helpers import first_fast


def demo_config(backbone: str, kind: str = 'demo', ablation=None):
    cfg = read_config(
        str(ROOT / f'configs/demo/retinanet_{backbone}_fpn_{kind}.py'))
    if ablation:
        ABLATIONS[ablation].apply(cfg)
    return cfg


def changed_keys(a: dict, b: dict) -> set:
    return {k for k in set(a) | set(b) if a.get(k) != b.get(k)}


@pytest.mark.parametrize('backbone', first_fast(*BACKBONES))
def test_sgd_is_the_pretrained_configs_table8_schedule(backbone):
    cfg = demo_config(backbone, ablation='sgd')
    table8 = demo_config(backbone, 'demo-pretrained')
    for key in ('optim_wrapper', 'param_scheduler', 'auto_scale_lr'):
        assert cfg[key] == table8[key], key
    assert changed_keys(cfg.to_dict(), demo_config(backbone).to_dict()) == {
        'optim_wrapper', 'param_scheduler', 'auto_scale_lr'}


@pytest.mark.parametrize('backbone', first_fast(*BACKBONES))
def test_24e_doubles_the_epochs_and_stretches_the_cosine(backbone):
    base, cfg = demo_config(backbone), demo_config(backbone, ablation='24e')
    assert cfg.train_cfg.max_epochs == 2 * base.train_cfg.max_epochs
    cosine, old = cfg.param_scheduler[1], base.param_scheduler[1]
    assert cosine.type == old.type == 'CosineAnnealingLR'
    # the same shape over twice the epochs
    assert cosine.T_max / cfg.train_cfg.max_epochs == (
        old.T_max / base.train_cfg.max_epochs)
    assert cosine.end == cfg.train_cfg.max_epochs
    assert cfg.param_scheduler[0] == base.param_scheduler[0]


def depthwise_stds(net: torch.nn.Module) -> list:
    """(std, PyTorch's fan-in, fan-out) of each 3x3 depthwise conv."""
    return [(m.weight.std().item(), 9, m.weight.shape[0] * 9)
            for m in net.modules() if isinstance(m, torch.nn.Conv2d)
            and m.groups == m.in_channels > 1 and m.kernel_size == (3, 3)]


# MobileNetV3 first: its ConvModules re-initialise their convs themselves
@pytest.mark.parametrize('backbone', first_fast(*sorted(
    BACKBONES, key=lambda b: 'mobilenetv3' not in b)))
def test_fan_in_init_scales_depthwise_convs_by_their_own_inputs(backbone):
    torch.manual_seed(0)
    cfg = demo_config(backbone, ablation='fan-in')
    hook, = [h for h in cfg.custom_hooks if h['type'] == 'ConvInitHook']
    detector = MODELS.build(cfg.model)
    detector.init_weights()  # as the Runner does before training
    # the configs' init is by fan-out in every backbone
    stds = depthwise_stds(detector.backbone)
    assert stds
    for std, _, fan_out in stds:
        assert std == pytest.approx(math.sqrt(2 / fan_out), rel=0.35)
    runner = SimpleNamespace(iter=0, _load_from=None, model=detector,
                             logger=MMLogger.get_current_instance())
    HOOKS.build(hook).before_train(runner)
    for std, fan_in, _ in depthwise_stds(detector.backbone):
        # Kaiming normal with the ReLU gain, by each conv's own inputs
        assert std == pytest.approx(math.sqrt(2 / fan_in), rel=0.35)
    for m in detector.backbone.modules():  # BatchNorm starts at 1 still
        if isinstance(m, torch.nn.BatchNorm2d):
            assert torch.all(m.weight == 1)


def test_conv_init_leaves_resumed_and_loaded_runs_alone():
    net = torch.nn.Sequential(torch.nn.Conv2d(64, 64, 3, groups=64))
    detector = SimpleNamespace(backbone=net)
    before = net[0].weight.clone()
    hook = HOOKS.build(dict(type='ConvInitHook'))
    for it, load_from in ((5, None), (0, 'weights.pth')):
        hook.before_train(SimpleNamespace(iter=it, _load_from=load_from,
                                          model=detector))
        assert torch.equal(net[0].weight, before)
    with pytest.raises(ValueError, match="mode must be 'fan_in' or"):
        HOOKS.build(dict(type='ConvInitHook', mode='fan-in'))


@pytest.mark.parametrize('ablation,switch', [
    ('no-se', 'with_se'),
    pytest.param('relu-project', 'project_act', marks=pytest.mark.slow)])
def test_ghostnet_design_ablations_are_for_ghostnet_alone(ablation, switch):
    assert ABLATIONS[ablation].backbones == ('ghostnet-1.1x', )
    cfg, base = demo_config('ghostnet-1.1x', ablation=ablation), demo_config(
        'ghostnet-1.1x')
    assert cfg.model.backbone[switch] != inspect.signature(
        GhostNet).parameters[switch].default
    cfg.model.backbone.pop(switch)
    assert cfg.to_dict() == base.to_dict()  # nothing else changed
    net = MODELS.build(demo_config('ghostnet-1.1x', ablation=ablation)
                       .model.backbone)
    has_se = any(isinstance(m, SqueezeExcite) for m in net.modules())
    assert has_se == (ablation != 'no-se')


@pytest.mark.slow  # the tool as a process
@pytest.mark.parametrize('ablation', ['sgd', 'fan-in'])
def test_an_ablation_changes_every_model_alike_in_its_own_work_dir(
        tmp_path, ablation):
    data = tiny_dataset(tmp_path / 'data', num_train=4, num_val=4)
    work = tmp_path / f'demo-{ablation}'
    result = subprocess.run(
        [sys.executable, 'tools/demo.py', '--backbones', 'ghostnet-1.1x',
         'mobilenetv3-large-1.0x', '--ablation', ablation, '--data-root',
         str(data), '--work-dir', str(work), '--cfg-options', *QUICK],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f'[demo] ablation {ablation}: ' in result.stdout
    results = json.loads((work / 'results.json').read_text())
    assert [r['ablation'] for r in results] == [ablation] * 2
    for backbone in ('ghostnet-1.1x', 'mobilenetv3-large-1.0x'):
        run = work / f'retinanet_{backbone}/seed0'
        dumped = read_config(str(run / f'retinanet_{backbone}_fpn_demo.py'))
        assert dumped.train_cfg.max_epochs == 1  # --cfg-options still apply
        log = next(run.glob('*/*.log')).read_text()
        if ablation == 'sgd':  # the same optimiser for both, no clipping
            assert dumped.optim_wrapper == demo_config(
                backbone, 'demo-pretrained').optim_wrapper
        else:
            assert 'Kaiming-initialised by fan_in' in log


@pytest.mark.slow  # the tool as a process
def test_an_ablation_is_for_the_from_scratch_demo():
    result = subprocess.run(
        [sys.executable, 'tools/demo.py', '--compare', '--pretrain',
         '--ablation', 'sgd'], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2
    assert 'leave out --scale detection and --pretrain' in result.stderr
    result = subprocess.run(
        [sys.executable, 'tools/demo.py', '--backbones', 'mobilenetv2-1.0x',
         '--ablation', 'no-se'], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2
    assert ('--ablation no-se changes ghostnet-1.1x only: add it with '
            '--backbones or --compare') in result.stderr
