# mmdet's 1x schedule (SGD 0.02, steps at epochs 8 and 11 of 12, linear
# warm-up), with a train loop that resumes exactly in the middle of an
# epoch (ghost_det/engine/runner/loops.py).
_base_ = 'mmdet::_base_/schedules/schedule_1x.py'

train_cfg = dict(type='ExactResumeEpochBasedTrainLoop')
