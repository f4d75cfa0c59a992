"""Random state in checkpoints, restored on resume."""
from mmdet.registry import HOOKS
from mmengine.hooks import Hook

from ..runner.loops import (
    ExactResumeEpochBasedTrainLoop,
    get_random_state,
    set_random_state,
)


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Save the random state in checkpoints; restore it on resume (after
    :class:`ExactResumeEpochBasedTrainLoop` skips the trained batches, or at
    once under another loop)."""

    priority = 'VERY_LOW'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['random_state'] = get_random_state()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('random_state')
        if state is None or not getattr(runner, '_resume', False):
            return  # load_from (fine-tuning) keeps this run's own seed
        loop = getattr(runner, '_train_loop', None)
        if isinstance(loop, ExactResumeEpochBasedTrainLoop):
            loop.pending_random_state = state
        else:
            set_random_state(state)
