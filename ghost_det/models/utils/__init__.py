from .layout import (
    convert_state_dict,
    infer_family,
    infer_widen_factor,
    unwrap_state_dict,
)
from .weights import (
    PretrainedWeightsError,
    load_pretrained_backbone,
    read_checkpoint,
)
from .widen import widen_state_dict

__all__ = ['PretrainedWeightsError', 'convert_state_dict', 'infer_family',
           'infer_widen_factor', 'load_pretrained_backbone',
           'read_checkpoint', 'unwrap_state_dict', 'widen_state_dict']
