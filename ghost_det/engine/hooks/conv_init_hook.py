"""Re-initialise a backbone's convolutions before training from scratch."""
import torch.nn as nn
from mmdet.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper, kaiming_init


@HOOKS.register_module()
class ConvInitHook(Hook):
    """Kaiming-initialise every conv of the backbone (normal, ReLU gain,
    bias 0) by ``mode`` when a fresh run starts training.

    It runs after the model's own ``init_weights()``, in which modules may
    override the backbone's ``init_cfg`` (mmcv's ``ConvModule`` always
    re-initialises its conv by fan-out, so mmpretrain's MobileNetV3 ignores
    an ``init_cfg`` Kaiming mode): every backbone gets the same init. A
    resumed run, or one that loads weights (``load_from``), is left as is.

    Args:
        mode: ``'fan_in'`` or ``'fan_out'``.
    """

    def __init__(self, mode: str = 'fan_in') -> None:
        if mode not in ('fan_in', 'fan_out'):
            raise ValueError(f"mode must be 'fan_in' or 'fan_out', got "
                             f'{mode!r}')
        self.mode = mode

    def before_train(self, runner) -> None:
        if runner.iter > 0 or runner._load_from:
            return
        model = runner.model.module if is_model_wrapper(runner.model) else (
            runner.model)
        convs = [m for m in model.backbone.modules()
                 if isinstance(m, nn.Conv2d)]
        for conv in convs:
            kaiming_init(conv, mode=self.mode, nonlinearity='relu')
        runner.logger.info(f'ConvInitHook: {len(convs)} backbone convs '
                           f'Kaiming-initialised by {self.mode}')
