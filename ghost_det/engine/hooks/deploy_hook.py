"""Test the deployed model (``tools/test.py --deploy``)."""
from typing import Optional

from mmdet.registry import HOOKS
from mmengine.hooks import Hook

from ...deploy import deploy_model


@HOOKS.register_module()
class DeployHook(Hook):
    """Test the deployed model: :func:`deploy_model` after the checkpoint
    is loaded, before the first test iteration (``tools/test.py
    --deploy``)."""

    priority = 'VERY_HIGH'

    def __init__(self, pad_to: Optional[int] = 16) -> None:
        self.pad_to = pad_to

    def before_test(self, runner) -> None:
        model = runner.model
        model = getattr(model, 'module', model)
        deploy_model(model, self.pad_to)
        runner.logger.info(
            f'deployed model: BatchNorm folded, GhostNet pad_to='
            f'{self.pad_to}')
