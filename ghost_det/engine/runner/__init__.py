from .loops import (
    ExactResumeEpochBasedTrainLoop,
    get_random_state,
    set_random_state,
)
from .resume import ResumeError, checkpoint_problem, pick_resume_checkpoint

__all__ = ['ExactResumeEpochBasedTrainLoop', 'ResumeError',
           'checkpoint_problem', 'get_random_state', 'pick_resume_checkpoint',
           'set_random_state']
