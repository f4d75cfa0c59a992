"""docs/custom_dataset.md, run as written: its config block (as it is) on
a three-class COCO-format dataset in the page's layout, and its commands
(check, train, test, infer) for one short epoch."""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from ghost_det.datasets import SyntheticCocoConfig, make_synthetic_coco
from tests._demo_helpers import ROOT

pytestmark = pytest.mark.slow  # starts the tools as processes
PAGE = ROOT / 'docs/custom_dataset.md'


def blocks(language: str) -> list:
    return re.findall(rf'```{language}\n(.*?)```', PAGE.read_text(), re.S)


def commands() -> list:
    """The page's shell commands, continuation lines joined."""
    text = blocks('bash')[0].replace('\\\n', ' ')
    return [shlex.split(line) for line in text.splitlines() if line.strip()]


def page_dataset(root, classes) -> None:
    """A small COCO-format dataset in the page's layout whose categories
    carry the config's class names."""
    made = root / 'made'
    make_synthetic_coco(made, SyntheticCocoConfig(
        num_train=4, num_val=2, image_size=(128, 128), max_size=80,
        min_size=16, num_classes=len(classes), seed=3))
    target = root / 'data/my_dataset'
    (target / 'annotations').mkdir(parents=True)
    for split in ('train', 'val'):
        shutil.copytree(made / split, target / split)
        coco = json.loads((made / f'annotations/instances_{split}.json')
                          .read_text())
        for category, name in zip(coco['categories'], classes):
            category['name'] = name
        (target / f'annotations/{split}.json').write_text(json.dumps(coco))


def test_the_page_trains_tests_and_infers_on_a_custom_dataset(
        tmp_path, official_weights_server):
    config_text, = blocks('python')
    classes = re.search(r"classes=\((.*?)\)", config_text).group(1)
    classes = [c.strip(" '") for c in classes.split(',')]
    assert len(classes) == 3
    page_dataset(tmp_path, classes)
    steps = commands()
    config = tmp_path / steps[0][2]
    config.parent.mkdir(parents=True)
    config.write_text(config_text)
    env = dict(os.environ, TORCH_HOME=str(tmp_path / 'torch'))
    short = ['--cfg-options', 'train_cfg.max_epochs=1',
             f'model.backbone.init_cfg.checkpoint={official_weights_server}']
    outputs = []
    for argv in steps:
        assert argv[0] == 'python' and argv[1].startswith('tools/')
        argv = [sys.executable, str(ROOT / argv[1])] + [
            a.replace('epoch_12.pth', 'epoch_1.pth') for a in argv[2:]]
        if argv[1].endswith('train.py'):
            argv += short
        if argv[1].endswith('test.py'):  # one epoch scores under 0.05
            argv += ['--cfg-options', 'model.test_cfg.score_thr=0']
        result = subprocess.run(argv, cwd=tmp_path, env=env,
                                capture_output=True, text=True)
        out = result.stdout + result.stderr
        assert result.returncode == 0, (argv, out[-3000:])
        outputs.append(out)
    check, train, test, infer = outputs
    assert '0 errors' in check
    assert 'loaded all 508 backbone tensors' in train
    assert (tmp_path / 'work_dirs/my-dataset/epoch_1.pth').is_file()
    assert 'coco/bbox_mAP' in test
    drawn = sorted(p.name for p in (tmp_path / 'outputs/vis').iterdir())
    assert drawn == sorted(p.name for p in
                           (tmp_path / 'data/my_dataset/val').iterdir())
    assert len(list((tmp_path / 'outputs/preds').glob('*.json'))) == 2
