from .synthetic_cls import (
    CLS_CLASSES,
    SyntheticClsConfig,
    ensure_synthetic_cls,
    make_synthetic_cls,
)
from .synthetic_coco import (
    CLASSES,
    DETECTION_SCALE,
    SyntheticCocoConfig,
    class_names,
    ensure_synthetic_coco,
    make_image,
    make_synthetic_coco,
)

__all__ = ['CLASSES', 'CLS_CLASSES', 'DETECTION_SCALE', 'SyntheticClsConfig',
           'SyntheticCocoConfig', 'class_names', 'ensure_synthetic_cls',
           'ensure_synthetic_coco', 'make_image', 'make_synthetic_cls',
           'make_synthetic_coco']
