"""The GhostNet paper's Table 8 (COCO minival) and helpers to match runs."""
from typing import Dict, Optional, Tuple

# (backbone, framework) -> (backbone MFLOPs at 224x224, mAP), from the paper.
PAPER_TABLE8: Dict[Tuple[str, str], Tuple[int, float]] = {
    ('MobileNetV2 1.0x', 'RetinaNet'): (300, 26.7),
    ('MobileNetV3 1.0x', 'RetinaNet'): (219, 26.4),
    ('GhostNet 1.1x', 'RetinaNet'): (164, 26.6),
    ('MobileNetV2 1.0x', 'Faster R-CNN'): (300, 27.5),
    ('MobileNetV3 1.0x', 'Faster R-CNN'): (219, 26.9),
    ('GhostNet 1.1x', 'Faster R-CNN'): (164, 26.9),
}
# The COCO bbox metrics of mmdet's CocoMetric, in Table 8's column order.
COCO_METRICS = ('bbox_mAP', 'bbox_mAP_50', 'bbox_mAP_75', 'bbox_mAP_s',
                'bbox_mAP_m', 'bbox_mAP_l')
FRAMEWORKS = {'RetinaNet': 'RetinaNet', 'FasterRCNN': 'Faster R-CNN'}


def backbone_label(backbone_cfg: dict) -> str:
    """'GhostNet 1.1x', 'MobileNetV2 1.0x', 'MobileNetV3 1.0x', ..."""
    kind = backbone_cfg['type'].split('.')[-1]
    if kind == 'MobileNetV3':
        arch = backbone_cfg.get('arch', 'small')
        suffix = '' if arch == 'large' else f'-{arch}'
        return f'MobileNetV3{suffix} 1.0x'
    widen = backbone_cfg.get('widen_factor', 1.0)
    return f'{kind} {widen:.1f}x'


def framework_label(model_cfg: dict) -> str:
    return FRAMEWORKS.get(model_cfg['type'], model_cfg['type'])


def paper_entry(backbone: str,
                framework: str) -> Optional[Tuple[int, float]]:
    return PAPER_TABLE8.get((backbone, framework))
