"""A test-only hook: each rank of a distributed run saves its weights and
how many iterations it trained (tests/test_tools/test_distributed.py)."""
import os.path as osp

import torch
from mmdet.registry import HOOKS
from mmengine.dist import get_rank, get_world_size
from mmengine.hooks import Hook


@HOOKS.register_module()
class DumpRankWeights(Hook):
    iterations = 0

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.iterations += 1

    def after_train(self, runner):
        model = getattr(runner.model, 'module', runner.model)
        torch.save(dict(
            params={k: v.detach().clone()
                    for k, v in model.named_parameters()},
            iterations=self.iterations, world_size=get_world_size(),
            wrapper=type(runner.model).__name__),
            osp.join(runner.work_dir, f'rank{get_rank()}.pth'))
