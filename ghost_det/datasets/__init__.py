from .synthetic_coco import (
                             CLASSES,
                             SyntheticCocoConfig,
                             make_image,
                             make_synthetic_coco,
)

__all__ = ['CLASSES', 'SyntheticCocoConfig', 'make_image',
           'make_synthetic_coco']
