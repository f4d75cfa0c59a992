"""Distributed runs without GPUs (CPU processes talking over gloo)."""
import torch
import torch.distributed as dist
from mmengine.config import Config


def use_cpu_processes_without_gpus(cfg: Config) -> bool:
    """With a launcher but no GPU: gloo instead of NCCL, and DDP on CPU
    modules. mmengine would call ``torch.cuda.set_device`` while starting
    the process group and pass ``device_ids=[LOCAL_RANK]``, which CPU
    modules refuse; so the group is started here (torchrun's environment)
    and the wrapper gets ``device_ids=None``. Returns whether it changed
    ``cfg``. SyncBN stays GPU-only (torch and mmcv implement it for CUDA
    only)."""
    launcher = cfg.get('launcher', 'none')
    if launcher == 'none' or torch.cuda.is_available():
        return False
    if launcher != 'pytorch':
        raise SystemExit(f'error: --launcher {launcher} without GPUs is not '
                         'supported; use tools/dist_train.sh (torchrun)')
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
    cfg.env_cfg.dist_cfg.backend = 'gloo'
    wrapper = dict(cfg.get('model_wrapper_cfg') or {})
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    wrapper.update(device_ids=None)
    wrapper.setdefault('broadcast_buffers', False)
    wrapper.setdefault('find_unused_parameters',
                       cfg.get('find_unused_parameters', False))
    cfg.model_wrapper_cfg = wrapper
    return True


def close_process_group() -> None:
    """End the process group before exit. Left to interpreter shutdown,
    gloo's threads can abort a finished process ("terminate called without
    an active exception", exit code -6) and torchrun reports a failure."""
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
