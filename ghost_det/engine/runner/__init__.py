from .loops import (
    ExactResumeEpochBasedTrainLoop,
    get_random_state,
    set_random_state,
)

__all__ = ['ExactResumeEpochBasedTrainLoop', 'get_random_state',
           'set_random_state']
