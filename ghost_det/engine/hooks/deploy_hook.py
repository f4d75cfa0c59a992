"""Test the deployed model (``tools/test.py --deploy`` / ``--backend``)."""
import os.path as osp
from typing import Optional, Sequence

from mmdet.registry import HOOKS
from mmengine.hooks import Hook

from ...models import GhostNet


@HOOKS.register_module()
class DeployHook(Hook):
    """After the checkpoint is loaded, before the first test iteration:
    :func:`~ghost_det.deploy.deploy_model` for ``backend``; with
    ``onnxruntime`` or ``openvino`` the detector is then exported end to end
    (:func:`~ghost_det.deploy.onnx_export.export_end_to_end`, into the work
    dir) and the test runs in that engine.

    Args:
        backend: ``pytorch``, ``onnxruntime`` or ``openvino``.
        layout: GhostNet deploy layout (default: the engine's fastest).
        input_size: (H, W) of the test images after resizing; picks the
            layout and is the export's tracing size.
        threads: Engine threads; 0 lets the engine choose.
    """

    priority = 'VERY_HIGH'

    def __init__(self, backend: str = 'pytorch',
                 layout: Optional[str] = None,
                 input_size: Sequence[int] = (800, 1344),
                 threads: int = 0) -> None:
        # the deploy code loads when a config asks for this hook, not at
        # ``import ghost_det``
        from ...deploy.engine_detector import BACKENDS
        if backend not in BACKENDS:
            raise ValueError(f'backend must be one of {", ".join(BACKENDS)}, '
                             f'got {backend!r}')
        self.backend, self.layout = backend, layout
        self.input_size = tuple(-(-s // 32) * 32 for s in input_size)
        self.threads = threads

    def before_test(self, runner) -> None:
        from ...deploy import deploy_model
        from ...deploy.engine_detector import EngineDetector
        from ...deploy.ghostnet import can_relayout, resolve_layout
        model = runner.model
        model = getattr(model, 'module', model)
        message = 'deployed model: BatchNorm folded'
        backbone = getattr(model, 'backbone', None)
        if can_relayout(backbone):
            layout = resolve_layout(backbone, self.backend, self.layout,
                                    self.input_size)
            message += f', GhostNet layout {layout.name}'
        elif isinstance(backbone, GhostNet):  # one rewrite for every engine
            message += (f', {type(backbone).__name__} by its '
                        f'switch_to_deploy()')
        deploy_model(model, self.backend, self.layout, self.input_size)
        if self.backend != 'pytorch':
            path = osp.join(runner.work_dir, 'end2end.onnx')
            runner.model = EngineDetector.exported(
                model, path, self.backend, self.input_size, self.threads)
            message += f'; exported to {path}, run by {self.backend}'
        runner.logger.info(message)
