"""The machine and software a measurement ran on."""
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Dict

import torch


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``), else what platform says."""
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or 'unknown CPU'


def device_name() -> str:
    """The GPU's name, or ``CPU (<model>, <n> threads)``."""
    if torch.cuda.is_available():
        return torch.cuda.get_device_name()
    return f'CPU ({cpu_model()}, {torch.get_num_threads()} threads)'


def environment(device: str = 'cpu') -> Dict[str, str]:
    """Versions and device of a benchmark run: mmengine's ``collect_env``
    (torch, CUDA, GPU) plus the packages and CPU it does not name."""
    from mmengine.utils.dl_utils import collect_env
    info = collect_env()
    env = {'python': platform.python_version(), 'torch': info['PyTorch'],
           'mmengine': info['MMEngine'], 'cpu': cpu_model(),
           'cpu_capability': torch.backends.cpu.get_cpu_capability(),
           'cores': str(os.cpu_count())}
    for name in ('mmcv', 'mmdet', 'mmpretrain', 'onnxruntime', 'openvino'):
        try:
            env[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    if device == 'cuda':
        env['gpu'] = torch.cuda.get_device_name()
        env['cuda'] = str(torch.version.cuda)
    return env
