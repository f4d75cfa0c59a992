"""tools/demo.py --compare --pretrain on tiny data: stage 1 per backbone,
then every detector from scratch and fine-tuned from its stage-1 checkpoint,
side by side in the Table 8 layout; read back when run again. And the
--pretrain imagenet route: each backbone loads the COCO config's ImageNet
weights through the download path."""
import json
import subprocess
import sys

import pytest
import torch

from ghost_det.datasets.synthetic_cls import (
    SyntheticClsConfig,
    ensure_synthetic_cls,
)
from tests._demo_helpers import QUICK, ROOT, tiny_dataset

BACKBONES = ('ghostnet-1.1x', 'mobilenetv2-1.0x', 'mobilenetv3-large-1.0x')
STAGE1_QUICK = ['train_cfg.max_epochs=1', 'train_cfg.val_interval=1'] + [
    f'{split}_dataloader.{key}' for split in ('train', 'val', 'test')
    for key in ('num_workers=0', 'persistent_workers=False', 'batch_size=8')]


def demo(*args) -> str:
    result = subprocess.run(
        [sys.executable, 'tools/demo.py', *map(str, args)], cwd=ROOT,
        capture_output=True, text=True)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-4000:]
    return out


@pytest.mark.slow  # trains nine models through the tool
def test_pretrain_trains_both_stages_beside_scratch(tmp_path):
    data = tiny_dataset(tmp_path / 'data', num_train=4, num_val=4)
    crops = tmp_path / 'crops'
    ensure_synthetic_cls(crops, SyntheticClsConfig(train_per_class=1,
                                                   val_per_class=1))
    work = tmp_path / 'work'
    args = ['--compare', '--pretrain', '--pretrain-data-root', crops,
            '--pretrain-cfg-options', *STAGE1_QUICK, '--data-root', data,
            '--work-dir', work, '--cfg-options', *QUICK]
    out = demo(*args)
    for i, backbone in enumerate(BACKBONES, 1):
        assert f'[demo] stage 1, {i}/3: {backbone} classifies' in out
        stage1 = json.loads(
            (work / f'pretrain/{backbone}/result.json').read_text())
        assert 0 <= stage1['top1'] <= 100 and stage1['epochs'] == 1
        # stage 2 loads that checkpoint (the init logs name it)
        log, = (work / f'retinanet_{backbone}_synthetic/seed0').glob('*/*.log')
        assert f"from {stage1['checkpoint']}" in log.read_text()
    assert '[demo] model 6/6: retinanet with' in out
    assert '(synthetic-cls), seed 0' in out and '(scratch), seed 0' in out
    results = json.loads((work / 'results.json').read_text())
    assert sorted((r['backbone'], r['init']) for r in results) == sorted(
        (b, i) for b in BACKBONES for i in ('scratch', 'synthetic-cls'))
    for backbone in BACKBONES:  # a picture per run, none drawn over
        for suffix in ('', '_synthetic'):
            assert (work / f'predictions_retinanet_{backbone}{suffix}.png'
                    ).is_file()
    assert 'top-1 (%)' in (work / 'pretrain.md').read_text()
    table = (work / 'table8.md').read_text()
    rows = [[c.strip() for c in line.split('|')[1:4]]
            for line in table.splitlines() if '| RetinaNet |' in line]
    # each backbone's pretrained row right below its from-scratch row
    assert rows == [[b, 'RetinaNet', init] for b in (
        'MobileNetV2 1.0x', 'MobileNetV3 1.0x', 'GhostNet 1.1x')
        for init in ('scratch', 'synthetic-cls')]
    assert (work / 'table8.png').stat().st_size > 1000

    again = demo(*args)  # both stages read back, nothing trained again
    assert 'Epoch(train)' not in again
    assert json.loads((work / 'results.json').read_text()) == results


@pytest.mark.slow  # starts the tool
@pytest.mark.parametrize('extra', [['--backbones', 'repghostnet-1.11x'],
                                   ['--scale', 'detection', '--allow-cpu']])
def test_pretrain_says_which_backbones_it_has(tmp_path, extra):
    result = subprocess.run(
        [sys.executable, 'tools/demo.py', '--pretrain', *extra,
         '--work-dir', str(tmp_path / 'work')], cwd=ROOT,
        capture_output=True, text=True)
    assert result.returncode == 2
    assert "--pretrain has configs for the CPU demo's three Table 8 " \
        'backbones' in result.stderr
    assert not (tmp_path / 'work').exists()


def imagenet_layouts(served, official_weights_server):
    """Files in each COCO config's checkpoint layout beside the official
    GhostNet file, and the backbone weights each must give (GhostNet's are
    widened): mmdet's MobileNetV2 (backbone keys), mmpretrain's
    MobileNetV3-Large classifier (``backbone.`` keys and a head)."""
    from mmdet.models.backbones import MobileNetV2
    from mmpretrain.models import MobileNetV3
    base = official_weights_server.rsplit('/', 1)[0]
    v2 = MobileNetV2().state_dict()
    torch.save(v2, served / 'mobilenet_v2.pth')
    v3 = MobileNetV3(arch='large').state_dict()
    torch.save(dict(meta={}, state_dict=dict(
        {f'backbone.{k}': v for k, v in v3.items()},
        **{'head.layers.1.fc.weight': torch.randn(1000, 1280)})),
        served / 'mobilenet_v3.pth')
    return {'ghostnet-1.1x': (official_weights_server, None),
            'mobilenetv2-1.0x': (f'{base}/mobilenet_v2.pth', v2),
            'mobilenetv3-large-1.0x': (f'{base}/mobilenet_v3.pth', v3)}


@pytest.mark.slow  # builds and initialises three detectors
def test_imagenet_init_is_the_coco_configs(tmp_path, monkeypatch,
                                           official_weights_server):
    """--pretrain imagenet starts each demo backbone as its COCO config
    does (GhostNet-1.1x: the official 1.0x weights, widened); with files of
    those layouts served over HTTP, every backbone tensor comes from the
    download."""
    from mmdet.registry import MODELS
    from mmengine.registry import init_default_scope

    from ghost_det.apis.demo import MIM, backbone_init, plan
    from ghost_det.models.utils import widen_state_dict
    from ghost_det.models.utils.weights import select_backbone_weights
    from ghost_det.utils.mmpretrain_compat import read_config
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    urls = imagenet_layouts(tmp_path / 'served', official_weights_server)
    runs = plan(['retinanet'], True, 1, inits=['imagenet'])
    assert [r['backbone'] for r in runs] == list(BACKBONES)
    init_default_scope('mmdet')
    for run in runs:
        assert run['config'].endswith('_fpn_demo-pretrained.py')
        init = backbone_init(run)
        assert init['type'] == 'Pretrained'
        assert ('widen' in init) == run['backbone'].startswith('ghostnet')
        init['checkpoint'], expected = urls[run['backbone']]
        cfg = read_config(str(MIM / run['config']))
        cfg.model.backbone.init_cfg = init
        detector = MODELS.build(cfg.model)
        before = {k: v.clone() for k, v in detector.backbone.state_dict(
        ).items() if v.is_floating_point() and v.dim() > 1}
        if expected is None:  # the official 1.0x file, widened as configured
            official = torch.load(tmp_path / 'served/state_dict_73.98.pth',
                                  weights_only=True)
            expected = widen_state_dict(
                select_backbone_weights(official, None)[0],
                detector.backbone.state_dict(), **init['widen'])
        detector.init_weights()
        after = detector.backbone.state_dict()
        assert len(before) > 20
        changed = [k for k in before if not torch.equal(before[k], after[k])]
        assert changed == list(before), run['backbone']
        assert len(expected) >= len(before)
        for key, value in expected.items():
            assert torch.equal(after[key], value), key
