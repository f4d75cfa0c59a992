from .synthetic_coco import (
    CLASSES,
    SyntheticCocoConfig,
    ensure_synthetic_coco,
    make_image,
    make_synthetic_coco,
)

__all__ = ['CLASSES', 'SyntheticCocoConfig', 'ensure_synthetic_coco',
           'make_image', 'make_synthetic_coco']
