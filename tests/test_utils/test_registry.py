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
