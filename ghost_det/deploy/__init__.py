from .onnx_export import export_onnx, exportable, ort_session
from .rewrites import deploy_model, drop_unused_layers, fold_norms

__all__ = ['deploy_model', 'drop_unused_layers', 'export_onnx', 'exportable',
           'fold_norms', 'ort_session']
