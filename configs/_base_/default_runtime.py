# mmdet's runtime, plus four ghost_det hooks (they need
# `import ghost_det`, which the configs' custom_imports do):
# - SafeCheckpointHook: mmengine's CheckpointHook writing every checkpoint
#   and last_checkpoint atomically (complete or absent), and checking the
#   checkpoint --resume picks (a damaged one is named and the newest
#   readable one is used);
# - DatasetCheckHook: before the first iteration, checks annotation files,
#   boxes, ids and that every image file exists (tools/misc/check_dataset.py
#   also decodes every image);
# - FiniteLossHook: a NaN or infinite loss stops training before the
#   optimizer step, naming the iteration, the loss term and the last
#   (clean) checkpoint;
# - RandomStateHook: checkpoints carry the random state, so a resumed run
#   continues exactly (with the loop of _base_/schedule_1x.py).
# A checkpoint every N iterations instead of every epoch:
#   --cfg-options default_hooks.checkpoint.by_epoch=False \
#                 default_hooks.checkpoint.interval=N
_base_ = 'mmdet::_base_/default_runtime.py'

default_hooks = dict(checkpoint=dict(type='SafeCheckpointHook'))

custom_hooks = [
    dict(type='DatasetCheckHook'),
    dict(type='FiniteLossHook'),
    dict(type='RandomStateHook')
]
