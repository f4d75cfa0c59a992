from .weights import (
    PretrainedWeightsError,
    convert_state_dict,
    infer_family,
    infer_widen_factor,
    load_pretrained_backbone,
    read_checkpoint,
    unwrap_state_dict,
)

__all__ = ['PretrainedWeightsError', 'convert_state_dict', 'infer_family',
           'infer_widen_factor', 'load_pretrained_backbone',
           'read_checkpoint', 'unwrap_state_dict']
