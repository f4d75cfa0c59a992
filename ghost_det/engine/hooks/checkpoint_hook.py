"""mmengine's CheckpointHook with atomic writes and a checked resume."""
import os.path as osp

from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook
from mmengine.registry import HOOKS

from ...utils.atomic_io import atomic_write
from ..runner.resume import pick_resume_checkpoint

ATOMIC = dict(backend='atomic_local')


@HOOKS.register_module()  # mmengine's root registry: every scope sees it
class SafeCheckpointHook(CheckpointHook):
    """:class:`~mmengine.hooks.CheckpointHook` whose checkpoints are either
    complete or absent, and whose resume survives a damaged checkpoint.

    - Every checkpoint (periodic, ``save_best``, the last one) is written
      through :class:`~ghost_det.utils.atomic_io.AtomicLocalBackend`: to a
      temporary file in the same folder, fsynced, then renamed into place.
      ``last_checkpoint`` is written the same way. A full disk raises an
      error that says the earlier checkpoints are intact.
    - With ``resume``, before the Runner loads anything, the checkpoint is
      loaded once to check it (:func:`~ghost_det.engine.runner.resume.
      pick_resume_checkpoint`): a damaged automatic choice is named in the
      log and the newest readable checkpoint is used; a damaged
      ``--resume PATH`` stops the run, listing the readable ones.

    Takes CheckpointHook's arguments. ``backend_args`` defaults to the
    atomic local backend (another backend, e.g. for object storage, is
    used as given, without the atomic guarantee).
    """

    def __init__(self, *args, backend_args=None, **kwargs) -> None:
        if backend_args is None and kwargs.get('file_client_args') is None:
            backend_args = dict(ATOMIC)
        super().__init__(*args, backend_args=backend_args, **kwargs)

    def before_run(self, runner) -> None:
        super().before_run(runner)
        if runner._resume:  # mmengine keeps these two private
            runner._load_from = pick_resume_checkpoint(
                runner.work_dir, runner._load_from, runner.logger)

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        """mmengine 0.10.7's, with ``last_checkpoint`` written atomically
        (mmengine rewrites it in place): drop the oldest checkpoint beyond
        ``max_keep_ckpts``, save this one, then point the marker at it."""
        if self.max_keep_ckpts > 0 and not (
                self.keep_ckpt_ids and self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                old = self.file_backend.join_path(
                    self.out_dir,
                    self.filename_tmpl.format(self.keep_ckpt_ids.popleft()))
                if is_main_process() and self.file_backend.isfile(old):
                    self.file_backend.remove(old)
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info('keep_ckpt_ids',
                                           list(self.keep_ckpt_ids))
        filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        runner.save_checkpoint(
            self.out_dir, filename, self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler, meta=meta,
            by_epoch=self.by_epoch, backend_args=self.backend_args,
            **self.args)
        if is_main_process():
            atomic_write(osp.join(runner.work_dir, 'last_checkpoint'),
                         self.last_ckpt)


def use_safe_checkpoint_hook(cfg) -> bool:
    """Swap a config's plain ``CheckpointHook`` for
    :class:`SafeCheckpointHook` (same arguments); True if it did."""
    hook = (cfg.get('default_hooks') or {}).get('checkpoint')
    if not hook or hook.get('type') not in ('CheckpointHook',
                                            'mmengine.CheckpointHook',
                                            CheckpointHook):
        return False
    hook['type'] = 'SafeCheckpointHook'
    return True
