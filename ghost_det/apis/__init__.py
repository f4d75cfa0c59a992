from .demo import (
    BACKBONES,
    DETECTORS,
    SCALES,
    plan,
    results_table,
    table8,
    train_and_evaluate,
)

__all__ = ['BACKBONES', 'DETECTORS', 'SCALES', 'plan', 'results_table',
           'table8', 'train_and_evaluate']
