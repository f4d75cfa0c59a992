"""Every config builds its full model and runs a loss and a predict step on
CPU; the six Table 8 configs differ in the backbone and FPN in_channels only;
the COCO configs carry the paper's settings."""
import copy
import functools
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from tests._helpers import first_fast

ROOT = Path(__file__).parents[2]
CONFIGS = sorted(str(p.relative_to(ROOT)) for p in
                 (ROOT / 'configs').rglob('*.py')
                 if '_base_' not in p.parts and 'pretrain' not in p.parts)
DEMO_COMPARISON = {
    framework: [f'configs/demo/{framework}_{backbone}_fpn_demo.py'
                for backbone in ('ghostnet-1.1x', 'mobilenetv2-1.0x',
                                 'mobilenetv3-large-1.0x')]
    for framework in ('retinanet', 'faster-rcnn')}
DETECTION_SCALE = {
    framework: [f'configs/detection_scale/{framework}_{backbone}_fpn_1x_'
                'shapes20.py'
                for backbone in ('ghostnet-1.1x', 'mobilenetv2-1.0x',
                                 'mobilenetv3-large-1.0x')]
    for framework in ('retinanet', 'faster-rcnn')}
# configs/_base_/mobilenet_backbones.py: the baselines' backbone patches
MOBILENET_PATCHES = ('mobilenetv2_1x', 'mobilenetv3_large_1x')
PRETRAIN = {w: f'configs/pretrain/ghostnet-{w}x_8xb128_in1k.py'
            for w in ('1.0', '1.1', '1.3')}
# built and run in make test-fast; every config in make test
FAST_CONFIGS = ('configs/ghostnet/retinanet_ghostnet-1.1x_fpn_1x_coco.py', )
TABLE8 = {
    'retinanet': [
        'configs/ghostnet/retinanet_ghostnet-1.1x_fpn_1x_coco.py',
        'configs/baselines/retinanet_mobilenetv2-1.0x_fpn_1x_coco.py',
        'configs/baselines/retinanet_mobilenetv3-large-1.0x_fpn_1x_coco.py'],
    'faster-rcnn': [
        'configs/ghostnet/faster-rcnn_ghostnet-1.1x_fpn_1x_coco.py',
        'configs/baselines/faster-rcnn_mobilenetv2-1.0x_fpn_1x_coco.py',
        'configs/baselines/faster-rcnn_mobilenetv3-large-1.0x_fpn_1x_coco.py'],
}

# The Ghost family on timm's ImageNet weights: (config, backbone type,
# width, timm model) per framework
FAMILY = {
    framework: [
        (f'configs/{folder}/{framework}_{name}_fpn_1x_coco.py', backbone,
         width, timm_name)
        for folder, name, backbone, width, timm_name in (
            ('repghostnet', 'repghostnet-1.11x', 'RepGhostNet', 1.11,
             'repghostnet_111'),
            ('ghostnetv2', 'ghostnetv2-1.0x', 'GhostNetV2', 1.0,
             'ghostnetv2_100'),
            ('ghostnetv3', 'ghostnetv3-1.0x', 'GhostNetV3', 1.0,
             'ghostnetv3_100'))]
    for framework in ('retinanet', 'faster-rcnn')}
FAMILY_CASES = [
    pytest.param(framework, *case, id=case[0].split('/')[-1])
    for framework, cases in FAMILY.items() for case in cases]
# the first family case of each check runs in make test-fast
FAMILY_FAST = [pytest.param(*case.values, id=case.id, marks=() if i == 0
                            else pytest.mark.slow)
               for i, case in enumerate(FAMILY_CASES)]


@functools.lru_cache(maxsize=None)
def _parsed(config: str) -> Config:
    return Config.fromfile(str(ROOT / config))


def load(config: str) -> Config:
    """The config, parsed once per session (a copy: tests may edit it)."""
    return copy.deepcopy(_parsed(str(config)))


def fake_batch(num_classes: int, size=(96, 128)):
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    gen = torch.Generator().manual_seed(0)
    inputs, samples = [], []
    for _ in range(2):
        inputs.append(torch.randint(0, 255, (3, *size), generator=gen,
                                    dtype=torch.uint8))
        sample = DetDataSample(metainfo=dict(
            img_shape=size, ori_shape=size, pad_shape=size,
            scale_factor=(1.0, 1.0)))
        xy = torch.rand(3, 2, generator=gen) * 60
        wh = torch.rand(3, 2, generator=gen) * 50 + 10
        sample.gt_instances = InstanceData(
            bboxes=torch.cat([xy, xy + wh], 1),
            labels=torch.randint(0, num_classes, (3, ), generator=gen))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def test_all_configs_are_found():
    assert len(CONFIGS) >= 10
    assert all(c in CONFIGS for cs in TABLE8.values() for c in cs)


@pytest.mark.parametrize('config', [
    pytest.param(c, marks=() if c in FAST_CONFIGS else pytest.mark.slow)
    for c in CONFIGS])
def test_builds_and_runs_loss_and_predict(config):
    from mmdet.registry import MODELS
    cfg = load(config)
    init_default_scope('mmdet')
    model = MODELS.build(cfg.model)
    # the FPN's in_channels are the backbone's real output channels
    model.backbone.eval()  # one 64x64 image leaves 1x1 maps
    with torch.no_grad():
        feats = model.backbone(torch.zeros(1, 3, 64, 64))
    assert list(cfg.model.neck.in_channels) == [f.shape[1] for f in feats]
    head = cfg.model.get('bbox_head') or cfg.model.roi_head.bbox_head
    model.train()
    data = model.data_preprocessor(fake_batch(head.num_classes), True)
    losses = model(**data, mode='loss')
    loss = model.parse_losses(losses)[0]
    assert torch.isfinite(loss)
    loss.backward()
    model.eval()
    with torch.no_grad():
        data = model.data_preprocessor(fake_batch(head.num_classes), False)
        preds = model(**data, mode='predict')
    assert len(preds) == 2 and hasattr(preds[0], 'pred_instances')


def without_backbone_and_neck_channels(cfg: Config) -> dict:
    d = copy.deepcopy(cfg.to_dict())
    d['model'].pop('backbone')
    d['model']['neck'].pop('in_channels')
    d.pop('filename', None)
    for patch in MOBILENET_PATCHES:
        d.pop(patch, None)
    return d


@pytest.mark.parametrize('framework', first_fast(*sorted(TABLE8)))
def test_table8_configs_differ_in_backbone_and_fpn_in_channels_only(
        framework):
    """And in find_unused_parameters, which only the baselines need: their
    MobileNets run a last conv that no output uses, GhostNet does not."""
    ghost, *baselines = [load(c) for c in TABLE8[framework]]
    reference = without_backbone_and_neck_channels(ghost)
    assert 'find_unused_parameters' not in reference
    for cfg in baselines:
        baseline = without_backbone_and_neck_channels(cfg)
        assert baseline.pop('find_unused_parameters') is True
        assert baseline == reference
        assert cfg.model.backbone != ghost.model.backbone
        assert cfg.model.neck.in_channels != ghost.model.neck.in_channels


@pytest.mark.parametrize('suite', first_fast('demo', 'detection_scale'))
@pytest.mark.parametrize('framework', first_fast('retinanet', 'faster-rcnn'))
def test_comparison_configs_differ_in_backbone_and_fpn_in_channels_only(
        suite, framework):
    """tools/demo.py --compare (demo) and --scale detection: same data,
    input size, head, schedule, seed and initialisation for the three
    backbones (and find_unused_parameters, as in the COCO configs)."""
    configs = dict(demo=DEMO_COMPARISON, detection_scale=DETECTION_SCALE)
    ghost, *baselines = [load(c) for c in configs[suite][framework]]
    reference = without_backbone_and_neck_channels(ghost)
    assert 'find_unused_parameters' not in reference
    for i, (cfg, kind) in enumerate(
            zip(baselines, ('MobileNetV2', 'mmpretrain.MobileNetV3')), 1):
        baseline = without_backbone_and_neck_channels(cfg)
        assert baseline.pop('find_unused_parameters') is True
        assert baseline == reference
        assert cfg.model.backbone.type == kind
        # all three from scratch, initialised alike, BatchNorm trained
        assert cfg.model.backbone.init_cfg == ghost.model.backbone.init_cfg
        assert cfg.model.backbone.norm_eval is False
        # otherwise the COCO baseline config's backbone and FPN channels
        coco = load(TABLE8[framework][i])
        for key in set(coco.model.backbone) - {'init_cfg', 'norm_eval'}:
            assert cfg.model.backbone[key] == coco.model.backbone[key], key
        assert cfg.model.neck.in_channels == coco.model.neck.in_channels


@pytest.mark.parametrize('framework', first_fast('retinanet', 'faster-rcnn'))
def test_pretrained_demo_configs_are_the_demo_with_table8_settings(
        framework):
    """tools/demo.py --pretrain, stage 2: each backbone's demo config with
    the COCO Table 8 config's optimiser, schedule, lr scaling and frozen
    BatchNorm, the backbone from its own stage-1 checkpoint; nothing else
    changes, and the three differ in backbone and FPN in_channels only."""
    names = ('ghostnet-1.1x', 'mobilenetv2-1.0x', 'mobilenetv3-large-1.0x')
    schedule = ('optim_wrapper', 'param_scheduler', 'auto_scale_lr')
    pretrained = [load(f'configs/demo/{framework}_{b}_fpn_demo-pretrained.py')
                  for b in names]
    for name, cfg, scratch, coco in zip(
            names, pretrained, map(load, DEMO_COMPARISON[framework]),
            map(load, TABLE8[framework])):
        changed, same = cfg.to_dict(), scratch.to_dict()
        for d in (changed, same):
            d.pop('filename', None)
            backbone = d['model'].pop('backbone')
            for key in schedule:
                d.pop(key)
        assert changed == same
        for key in schedule:
            assert without_scope_prefix(cfg[key]) == without_scope_prefix(
                coco[key]), key
        backbone = copy.deepcopy(cfg.model.backbone)
        assert backbone.pop('init_cfg') == dict(
            type='Pretrained', prefix='backbone.', checkpoint=(
                f'work_dirs/demo/pretrain/{name}/epoch_30.pth'))
        assert backbone.pop('norm_eval') is coco.model.backbone.norm_eval
        reference = copy.deepcopy(scratch.model.backbone)
        reference.pop('init_cfg'), reference.pop('norm_eval')
        assert backbone == reference
    ghost, *baselines = map(without_backbone_and_neck_channels, pretrained)
    for baseline in baselines:
        assert baseline.pop('find_unused_parameters') is True
        assert baseline == ghost


@pytest.mark.parametrize('framework', sorted(DETECTION_SCALE))
def test_detection_scale_configs_are_the_coco_configs_on_other_data(
        framework):
    """The GhostNet detection-scale config is the Table 8 COCO config with
    the synthetic data, 20 classes, the backbone from scratch and clipped
    gradients: same model, pipelines, schedule, learning rate, hooks."""
    from ghost_det.datasets import class_names
    coco, scale = (load(TABLE8[framework][0]),
                   load(DETECTION_SCALE[framework][0]))
    assert scale.model.backbone.norm_eval is False
    assert scale.model.backbone.init_cfg[0].type == 'Kaiming'
    assert scale.optim_wrapper.clip_grad.max_norm == 35
    assert scale.train_dataloader.batch_size == 16
    assert scale.auto_scale_lr == dict(enable=True, base_batch_size=16)
    for split in ('train', 'val', 'test'):
        dataset = scale[f'{split}_dataloader'].dataset
        assert dataset.pipeline == coco[f'{split}_dataloader'].dataset.pipeline
        assert dataset.metainfo.classes == class_names(20)
        assert 'synthetic_shapes20' in dataset.data_root
    dicts = []
    for cfg in (coco, scale):
        d = copy.deepcopy(cfg.to_dict())
        for key in ('filename', 'data_root', 'metainfo', 'from_scratch',
                    'train_dataloader', 'val_dataloader', 'test_dataloader',
                    'val_evaluator', 'test_evaluator', 'default_hooks'):
            d.pop(key, None)
        for key in ('init_cfg', 'norm_eval'):
            d['model']['backbone'].pop(key)
        head = d['model'].get('bbox_head') or d['model']['roi_head'][
            'bbox_head']
        assert head.pop('num_classes') == (20 if cfg is scale else 80)
        d['optim_wrapper'].pop('clip_grad', None)
        dicts.append(d)
    assert dicts[0] == dicts[1]
    assert scale.default_hooks.logger == coco.default_hooks.logger


@pytest.mark.slow
@pytest.mark.parametrize('framework', sorted(TABLE8))
def test_ghostnet_trains_without_unused_parameters(framework):
    """Every trainable parameter of the GhostNet detectors gets a gradient
    from the loss, so DDP needs no find_unused_parameters."""
    from mmdet.registry import MODELS
    cfg = load(TABLE8[framework][0])
    init_default_scope('mmdet')
    model = MODELS.build(cfg.model)
    model.train()
    head = cfg.model.get('bbox_head') or cfg.model.roi_head.bbox_head
    data = model.data_preprocessor(fake_batch(head.num_classes), True)
    loss = model.parse_losses(model(**data, mode='loss'))[0]
    loss.backward()
    unused = [n for n, p in model.named_parameters()
              if p.requires_grad and p.grad is None]
    assert unused == []


@pytest.mark.parametrize('config', [c for cs in TABLE8.values() for c in cs])
def test_paper_training_settings(config):
    cfg = load(config)
    lr = 0.01 if 'retinanet' in config else 0.02
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.momentum, opt.weight_decay) == (
        'SGD', lr, 0.9, 1e-4)
    assert cfg.auto_scale_lr == dict(enable=True, base_batch_size=16)
    assert cfg.train_dataloader.batch_size == 2  # x 8 GPUs = 16
    assert cfg.train_cfg.max_epochs == 12
    warmup, steps = cfg.param_scheduler
    assert (warmup.type, warmup.end, warmup.by_epoch) == ('LinearLR', 500,
                                                          False)
    assert steps.milestones == [8, 11]
    resize = [t for t in cfg.train_pipeline if t.type == 'Resize'][0]
    assert resize.scale == (1333, 800) and resize.keep_ratio
    assert cfg.train_dataloader.dataset.ann_file.endswith(
        'instances_train2017.json')
    assert cfg.val_evaluator.ann_file.endswith('instances_val2017.json')
    init = cfg.model.backbone.init_cfg
    assert init.type == 'Pretrained' and init.checkpoint
    assert cfg.custom_imports.imports == ['ghost_det']


def without_data(cfg: Config) -> dict:
    d = copy.deepcopy(cfg.to_dict())
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                'val_evaluator', 'test_evaluator', 'filename',
                # configs/_base_/coco_2014_splits.py
                'data_root_2014', 'trainval35k', 'minival2014'):
        d.pop(key, None)
    return d


@pytest.mark.parametrize('framework', first_fast(*sorted(TABLE8)))
def test_2014_split_configs(framework):
    name = TABLE8[framework][0].replace('.py', '-trainval35k.py')
    assert f"'./{Path(TABLE8[framework][0]).name}'" in (
        ROOT / name).read_text()
    cfg, base = load(name), load(TABLE8[framework][0])
    assert without_data(cfg) == without_data(base)
    assert cfg.train_dataloader.batch_size == base.train_dataloader.batch_size
    train = cfg.train_dataloader.dataset
    assert train.type == 'ConcatDataset'
    assert [d.ann_file for d in train.datasets] == [
        'annotations/instances_train2014.json',
        'annotations/instances_valminusminival2014.json']
    for dataset in train.datasets:
        # a pipeline read from an mmdet:: base carries its scope
        assert [{k: v for k, v in step.items() if k != '_scope_'}
                for step in dataset.pipeline] == \
            base.train_dataloader.dataset.pipeline
        assert dataset.data_root == base.train_dataloader.dataset.data_root
    assert [d.data_prefix.img for d in train.datasets] == [
        'train2014/', 'val2014/']
    assert cfg.val_dataloader.dataset.ann_file.endswith(
        'instances_minival2014.json')
    assert cfg.val_dataloader.dataset.data_prefix.img == 'val2014/'
    assert (cfg.val_dataloader.dataset.pipeline
            == base.val_dataloader.dataset.pipeline)
    assert cfg.val_evaluator.ann_file.endswith('instances_minival2014.json')
    assert cfg.model == base.model and cfg.optim_wrapper == base.optim_wrapper


@pytest.mark.parametrize('framework', first_fast(*sorted(TABLE8)))
def test_1x_configs_are_the_11x_configs_at_width_1(framework):
    cfg, base = load(TABLE8[framework][0].replace('1.1x', '1.0x')), load(
        TABLE8[framework][0])
    assert cfg.model.backbone.widen_factor == 1.0
    # stage-end channels of GhostNet-1.0x, from the spec's table
    assert cfg.model.neck.in_channels == [24, 40, 112, 160]
    assert cfg.model.backbone.init_cfg == dict(
        base.model.backbone.init_cfg, widen=False)
    d, b = without_backbone_and_neck_channels(cfg), \
        without_backbone_and_neck_channels(base)
    assert d == b


@pytest.mark.parametrize('framework', first_fast(*sorted(TABLE8)))
def test_11x_configs_start_from_the_official_weights_widened(
        framework, tmp_path, monkeypatch):
    """The Table 8 1.1x configs read the official 1.0x file by its URL
    and widen it on load: all 508 backbone tensors load, and every channel
    of every stage end is a channel of the 1.0x network's (timm's)."""
    from mmdet.registry import MODELS

    from tests._timm_reference import randomised_timm_ghostnet
    _, requested = served_official_weights(tmp_path, monkeypatch)
    cfg = load(TABLE8[framework][0])
    assert cfg.model.backbone.init_cfg.checkpoint.endswith(
        'ghostnet_pytorch/models/state_dict_73.98.pth')
    assert cfg.model.backbone.init_cfg.widen == dict(noise=0.1, seed=0)
    init_default_scope('mmdet')
    model = MODELS.build(cfg.model)
    model.init_weights()
    assert requested == [cfg.model.backbone.init_cfg.checkpoint]
    assert len(model.backbone.state_dict()) == 508
    timm = randomised_timm_ghostnet(1.0, seed=11)
    x = torch.randn(1, 3, 96, 96)
    taps = []
    with torch.no_grad():
        ours = model.backbone.eval()(x)
        y = timm.act1(timm.bn1(timm.conv_stem(x)))
        for i, block in enumerate(timm.blocks):
            y = block(y)
            if i in (2, 4, 6, 8):
                taps.append(y)
    for out, tap in zip(ours, taps):
        a, b = out[0].flatten(1), tap[0].flatten(1)
        dist = torch.cdist(a, b, compute_mode='donot_use_mm_for_euclid_dist')
        best, index = dist.min(dim=1)
        assert out.shape[1] > tap.shape[1]
        assert set(index.tolist()) == set(range(tap.shape[1]))
        assert (best / b.norm(dim=1)[index]).max() < 1e-5


def served_official_weights(tmp_path, monkeypatch, seed: int = 11):
    """A local file of the official layout (bare keys, classifier head,
    thop counters) behind mmengine's HTTP loader; returns the reference
    model's state dict and the list of requested addresses."""
    import mmengine.runner.checkpoint as mmengine_checkpoint

    from tests._timm_reference import randomised_timm_ghostnet
    reference = randomised_timm_ghostnet(1.0, seed=seed).state_dict()
    official = dict(reference, total_params=torch.zeros(1))
    official['blocks.2.0.ghost1.primary_conv.0.total_ops'] = torch.zeros(1)
    local = tmp_path / 'state_dict_73.98.pth'
    torch.save(official, local)
    requested = []

    def load_url(url, map_location=None, **kwargs):
        requested.append(url)
        return torch.load(local, map_location=map_location,
                          weights_only=True)

    monkeypatch.setattr(mmengine_checkpoint, 'load_url', load_url)
    return reference, requested


@pytest.mark.parametrize('framework', first_fast(*sorted(TABLE8)))
def test_1x_configs_load_the_official_weights_completely(
        framework, tmp_path, monkeypatch):
    """The config's URL goes through mmengine's HTTP loader (served here from
    a local file of the official layout: bare keys, classifier head, thop
    counters), and every backbone tensor loads."""
    from mmdet.registry import MODELS
    reference, requested = served_official_weights(tmp_path, monkeypatch)
    cfg = load(TABLE8[framework][0].replace('1.1x', '1.0x'))
    init_default_scope('mmdet')
    model = MODELS.build(cfg.model)
    model.init_weights()
    assert requested == [cfg.model.backbone.init_cfg.checkpoint]
    backbone = model.backbone.state_dict()
    assert len(backbone) == 508
    for key, value in backbone.items():
        assert torch.equal(value, reference[key]), key


def without_scope_prefix(cfg):
    if isinstance(cfg, dict):
        return {k: (v.replace('mmpretrain.', '') if k == 'type' else
                    without_scope_prefix(v)) for k, v in cfg.items()
                if k != '_scope_'}
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(without_scope_prefix(v) for v in cfg)
    return cfg


@pytest.mark.parametrize('width', first_fast(*sorted(PRETRAIN)))
def test_pretrain_configs_are_the_official_classifier(width):
    from mmpretrain.registry import MODELS

    from ghost_det.models.classifier import ghostnet_classifier_cfg
    cfg = load(PRETRAIN[width])
    expected = without_scope_prefix(ghostnet_classifier_cfg(float(width)))
    assert without_scope_prefix(cfg.model.to_dict()) == expected
    init_default_scope('mmpretrain')
    model = MODELS.build(cfg.model)
    logits = model(torch.randn(2, 3, 64, 64), mode='tensor')
    assert logits.shape == (2, 1000)


def test_pretrain_recipe():
    """The paper: ShuffleNet's settings with lr 0.4 at batch 1024 (8 GPUs)."""
    cfg = load(PRETRAIN['1.1'])
    assert cfg.default_scope == 'mmpretrain'
    assert cfg.train_dataloader.batch_size * 8 == 1024
    assert cfg.auto_scale_lr.base_batch_size == 1024
    opt = cfg.optim_wrapper
    assert (opt.optimizer.type, opt.optimizer.lr, opt.optimizer.momentum,
            opt.optimizer.weight_decay) == ('SGD', 0.4, 0.9, 4e-5)
    assert opt.paramwise_cfg.norm_decay_mult == 0
    warmup, decay = cfg.param_scheduler
    assert (warmup.type, warmup.end) == ('ConstantLR', 5000)
    assert (decay.type, decay.eta_min, decay.begin) == ('PolyLR', 0, 5000)
    assert cfg.train_cfg.max_epochs == 300
    assert cfg.train_dataloader.dataset.type == 'ImageNet'


@pytest.mark.parametrize('framework,config,backbone,width,timm_name',
                         FAMILY_FAST)
def test_family_configs_differ_from_table8_in_backbone_and_fpn_only(
        framework, config, backbone, width, timm_name):
    cfg, table8 = load(config), load(TABLE8[framework][0])
    assert (without_backbone_and_neck_channels(cfg)
            == without_backbone_and_neck_channels(table8))
    expected = dict(table8.model.backbone, type=backbone, widen_factor=width)
    expected['init_cfg'] = dict(
        expected['init_cfg'], checkpoint=f'https://huggingface.co/timm/'
        f'{timm_name}.in1k/resolve/main/model.safetensors', widen=False)
    assert cfg.model.backbone == expected


@pytest.mark.parametrize('framework,config,backbone,width,timm_name',
                         FAMILY_FAST)
def test_family_configs_load_the_timm_weights_completely(
        framework, config, backbone, width, timm_name, tmp_path,
        monkeypatch):
    """The config's hub address is downloaded once (served here from a
    local safetensors file of timm's layout, classifier included) and every
    backbone tensor loads."""
    from mmdet.registry import MODELS
    from safetensors.torch import save_file

    from ghost_det.models.utils import unwrap_state_dict
    from tests._timm_reference import randomised_timm_model
    reference = randomised_timm_model(timm_name, seed=5).state_dict()
    local = tmp_path / 'model.safetensors'
    save_file({k: v.contiguous() for k, v in reference.items()}, str(local))
    requested = []

    def download(url, dst, **kwargs):
        requested.append(url)
        Path(dst).write_bytes(local.read_bytes())

    monkeypatch.setattr(torch.hub, 'download_url_to_file', download)
    monkeypatch.setattr(torch.hub, 'get_dir', lambda: str(tmp_path / 'hub'))
    cfg = load(config)
    init_default_scope('mmdet')
    for _ in range(2):  # the second build reads the cached file
        model = MODELS.build(cfg.model)
        model.init_weights()
    assert requested == [cfg.model.backbone.init_cfg.checkpoint]
    ours = unwrap_state_dict(reference)
    backbone_sd = model.backbone.state_dict()
    assert len(backbone_sd) == len([k for k in ours if k.startswith(
        ('conv_stem.', 'bn1.', 'blocks.'))])
    for key, value in backbone_sd.items():
        assert torch.equal(value, ours[key]), key


@pytest.mark.slow  # trains in-process
@pytest.mark.parametrize('framework,config,backbone,width,timm_name',
                         FAMILY_CASES)
def test_family_configs_train_a_few_iterations(
        framework, config, backbone, width, timm_name):
    """Three SGD steps with the config's optimizer (random backbone):
    finite losses, and the backbone's weights move."""
    from mmdet.registry import MODELS
    from mmengine.optim import build_optim_wrapper
    cfg = load(config)
    cfg.model.backbone.init_cfg = None
    init_default_scope('mmdet')
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    head = cfg.model.get('bbox_head') or cfg.model.roi_head.bbox_head
    before = model.backbone.conv_stem.weight.detach().clone()
    for _ in range(3):
        data = model.data_preprocessor(fake_batch(head.num_classes), True)
        loss = model.parse_losses(model(**data, mode='loss'))[0]
        assert torch.isfinite(loss)
        optim_wrapper.update_params(loss)
    assert type(model.backbone).__name__ == backbone
    assert not torch.equal(model.backbone.conv_stem.weight, before)


@pytest.mark.parametrize('framework,config,backbone,width,timm_name',
                         FAMILY_FAST)
def test_family_demo_configs_differ_in_backbone_and_fpn_in_channels_only(
        framework, config, backbone, width, timm_name):
    """tools/demo.py --backbones: the GhostNet demo with the COCO config's
    backbone, initialised from scratch alike."""
    name = config.split('_')[1]
    demo = load(f'configs/demo/{framework}_{name}_fpn_demo.py')
    ghost, coco = load(DEMO_COMPARISON[framework][0]), load(config)
    assert (without_backbone_and_neck_channels(demo)
            == without_backbone_and_neck_channels(ghost))
    assert demo.model.backbone == dict(
        coco.model.backbone, init_cfg=ghost.model.backbone.init_cfg,
        norm_eval=False)
    assert demo.model.neck.in_channels == coco.model.neck.in_channels


@pytest.mark.slow  # counts the FLOPs of every COCO config
def test_model_index_lists_every_coco_config():
    """model-index.yml imports one metafile per collection, each entry's
    config exists and carries the collection's backbone; every COCO 1x
    config of a collection is listed (trainval35k included), each with
    mmdet's Results and Weights, null until a run fills them in."""
    import yaml
    index = yaml.safe_load((ROOT / 'model-index.yml').read_text())
    listed = {}
    for metafile in index['Import']:
        meta = yaml.safe_load((ROOT / metafile).read_text())
        collection = meta['Collections'][0]['Name']
        for model in meta['Models']:
            assert model['In Collection'] == collection
            assert Path(model['Config']).stem == model['Name']
            assert model['Weights'] is None  # no COCO run made
            result, = model['Results']
            assert result['Task'] == 'Object Detection'
            assert result['Dataset'].startswith('COCO')
            assert result['Metrics'] == {'box AP': None}
            listed[model['Config']] = collection
        assert 'no run made' in meta['Collections'][0]['Metadata'][
            'Training Resources']
    for folder in {Path(m).parent for m in index['Import']}:
        for config in (ROOT / folder).glob('*_1x_coco*.py'):
            assert str(config.relative_to(ROOT)) in listed, config
    for config, collection in listed.items():
        assert load(config).model.backbone.type == collection, config


@pytest.mark.slow
def test_family_metafile_flops_are_what_get_flops_counts():
    import yaml
    from mmdet.apis import init_detector

    from ghost_det.analysis.complexity import detector_complexity
    meta = yaml.safe_load(
        (ROOT / 'configs/repghostnet/metafile.yml').read_text())
    for model in meta['Models']:
        detector = init_detector(str(ROOT / model['Config']),
                                 palette='random', device='cpu')
        cost = detector_complexity(detector, 800, 1333)
        assert f"{cost['flops'] / 1e9:.2f}G" == model['Metadata']['FLOPs']
        assert (f"{cost['params'] / 1e6:.2f}M"
                == model['Metadata']['Parameters'])
