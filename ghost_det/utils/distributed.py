"""Distributed runs without GPUs (CPU processes talking over gloo)."""
import logging
import os
import sys

import torch
import torch.distributed as dist
from mmengine.config import Config


def uses_sync_bn(cfg: Config) -> bool:
    """Whether the model config asks for synchronised BatchNorm."""
    def walk(node) -> bool:
        if isinstance(node, dict):
            if str(node.get('type', '')).split('.')[-1] in (
                    'SyncBN', 'MMSyncBN', 'SyncBatchNorm'):
                return True
            return any(walk(v) for v in node.values())
        if isinstance(node, (list, tuple)):
            return any(walk(v) for v in node)
        return False
    return bool(cfg.get('sync_bn')) or walk(cfg.get('model', {}))


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
    if uses_sync_bn(cfg):
        raise SystemExit(
            'error: the config uses SyncBN, which torch and mmcv implement '
            'for GPUs only, and no GPU is visible. Run it on GPUs, or set '
            "norm_cfg=dict(type='BN', requires_grad=True) for a CPU run")
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
    """End a distributed run that finished: all ranks meet, the group is
    destroyed. A CPU (gloo) rank then leaves with ``os._exit(0)`` after
    flushing its logs: left to interpreter shutdown, a native thread can
    abort a rank whose work is done ("terminate called without an active
    exception", exit code -6; measured here in about 1 run of 6 under
    load) and torchrun would report the whole run as failed."""
    if not (dist.is_available() and dist.is_initialized()):
        return
    cpu = dist.get_backend() == 'gloo'
    dist.barrier()
    dist.destroy_process_group()
    if cpu:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
