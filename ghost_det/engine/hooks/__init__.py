from .checkpoint_hook import SafeCheckpointHook, use_safe_checkpoint_hook
from .conv_init_hook import ConvInitHook
from .dataset_check_hook import DatasetCheckHook, DatasetError
from .deploy_hook import DeployHook
from .finite_loss_hook import FiniteLossHook, NonFiniteLossError
from .inference_timer_hook import InferenceTimerHook
from .memory_trace_hook import MemoryTraceHook
from .random_state_hook import RandomStateHook

__all__ = ['ConvInitHook', 'DatasetCheckHook', 'DatasetError', 'DeployHook',
           'FiniteLossHook', 'InferenceTimerHook', 'MemoryTraceHook',
           'NonFiniteLossError', 'RandomStateHook', 'SafeCheckpointHook',
           'use_safe_checkpoint_hook']
