from .ghostnet import (
    DEFAULT_LAYOUTS,
    ENGINES,
    GhostLayout,
    can_relayout,
    default_layout,
    fold_outputs_into_neck,
    relayout,
)
from .onnx_export import export_onnx, exportable, ort_session
from .rewrites import deploy_model, drop_unused_layers, fold_norms

__all__ = ['DEFAULT_LAYOUTS', 'ENGINES', 'GhostLayout', 'can_relayout',
           'default_layout', 'deploy_model', 'drop_unused_layers',
           'export_onnx', 'exportable', 'fold_norms',
           'fold_outputs_into_neck', 'ort_session', 'relayout']
