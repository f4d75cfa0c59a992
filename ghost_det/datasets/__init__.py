from .synthetic_coco import (
    CLASSES,
    DETECTION_SCALE,
    SyntheticCocoConfig,
    class_names,
    ensure_synthetic_coco,
    make_image,
    make_synthetic_coco,
)

__all__ = ['CLASSES', 'DETECTION_SCALE', 'SyntheticCocoConfig', 'class_names',
           'ensure_synthetic_coco', 'make_image', 'make_synthetic_coco']
