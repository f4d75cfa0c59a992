"""The ghost_det scope's registries fall through to mmdet's."""
import pytest
from mmengine import registry as root

import ghost_det.registry  # noqa: F401


@pytest.mark.parametrize('registry,name,module', [
    (root.MODELS, 'GhostNet', 'ghost_det.models.backbones.ghostnet'),
    (root.MODELS, 'RetinaNet', 'mmdet.models.detectors.retinanet'),
    (root.DATASETS, 'ConcatDataset', 'mmdet.datasets.dataset_wrappers'),
    (root.TRANSFORMS, 'PackDetInputs', 'mmdet.datasets.transforms.formatting'),
    (root.METRICS, 'CocoMetric', 'mmdet.evaluation.metrics.coco_metric'),
    (root.PARAM_SCHEDULERS, 'CosineAnnealingLR',
     'mmengine.optim.scheduler.lr_scheduler'),
])
def test_ghost_det_scope_resolves(registry, name, module):
    with registry.switch_scope_and_registry('ghost_det') as found:
        assert found.scope == 'ghost_det'
        assert found.get(name).__module__ == module


@pytest.mark.slow  # starts a process
def test_import_registers_without_loading_the_deploy_code():
    """``import ghost_det`` (a fresh process) loads no deploy module and no
    engine; the DeployHook is registered all the same."""
    import subprocess
    import sys
    code = ('import sys, ghost_det\n'
            'from mmdet.registry import HOOKS\n'
            'assert HOOKS.get("DeployHook") is not None\n'
            'print(sorted(m for m in sys.modules if m.startswith('
            '("ghost_det.deploy", "onnx", "onnxruntime", "openvino"))))')
    result = subprocess.run([sys.executable, '-c', code], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == '[]'
