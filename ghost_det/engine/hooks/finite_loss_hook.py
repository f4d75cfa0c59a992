"""Stop at the first NaN or infinite loss, before the optimizer step."""
import os.path as osp
from typing import Optional

import torch
from mmdet.registry import HOOKS
from mmengine.dist import all_reduce, get_world_size
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper


class NonFiniteLossError(FloatingPointError):
    """A loss term became NaN or infinite; training stopped before the
    optimizer step of that iteration."""


@HOOKS.register_module()
class FiniteLossHook(Hook):
    """Stop at the first NaN or infinite loss, before it reaches the weights.

    mmdet's ``CheckInvalidLossHook`` looks after the optimizer step, when
    the weights (and any checkpoint saved at that iteration) already hold
    NaNs. This hook checks every loss term between the forward pass and the
    backward pass, and raises :class:`NonFiniteLossError` naming the
    iteration, the epoch, the bad terms and the last checkpoint, which keeps
    the weights from before. Under DDP the ranks agree first (one small
    all-reduce per iteration), so all stop together.
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        parse_losses = model.parse_losses

        def checked_parse_losses(losses):
            loss, log_vars = parse_losses(losses)
            bad = {name: float(value) for name, value in log_vars.items()
                   if not torch.isfinite(torch.as_tensor(value)).all()}
            if get_world_size() > 1:
                flag = torch.tensor([float(bool(bad))], device=loss.device)
                all_reduce(flag)
                if flag.item() and not bad:
                    bad = {'(on another rank)': float('nan')}
            if bad:
                raise NonFiniteLossError(self._message(runner, bad))
            return loss, log_vars

        model.parse_losses = checked_parse_losses

    @staticmethod
    def _last_checkpoint(runner) -> Optional[str]:
        path = osp.join(runner.work_dir, 'last_checkpoint')
        if osp.isfile(path):
            with open(path) as f:
                return f.read().strip() or None
        return None

    def _message(self, runner, bad: dict) -> str:
        terms = ', '.join(f'{k} = {v}' for k, v in bad.items())
        last = self._last_checkpoint(runner)
        kept = (f'The last checkpoint, {last}, holds the weights from before '
                f'it; resume with --resume.' if last else
                'No checkpoint was written before it.')
        return (
            f'non-finite loss at iteration {runner.iter + 1} (epoch '
            f'{runner.epoch + 1}): {terms}. Training stopped before the '
            f'optimizer step, so no weight (and no checkpoint) holds NaN or '
            f'Inf. {kept} Usual causes: a learning rate too high for the '
            f'batch size (auto_scale_lr), broken boxes in the annotations '
            f'(python tools/misc/check_dataset.py CONFIG), fp16 overflow without '
            f'a dynamic loss scale.')
