"""One-change ablations of the CPU demo's from-scratch comparison
(``tools/demo.py --compare --ablation NAME``): each makes the same change
to every model's config: overrides merged as ``--cfg-options`` would be
(values may be dicts and lists), hooks added to ``custom_hooks``. A change
to GhostNet's own design applies to GhostNet alone, to set beside its
unchanged runs."""
import copy
from typing import Dict, NamedTuple, Optional, Tuple


class Ablation(NamedTuple):
    description: str
    options: Dict
    hooks: Tuple[Dict, ...] = ()
    # the backbones it applies to (a change to GhostNet's own design), or
    # None: every backbone alike
    backbones: Optional[Tuple[str, ...]] = None

    def apply(self, cfg) -> None:
        """Change ``cfg`` (an mmengine Config) in place."""
        cfg.merge_from_dict(copy.deepcopy(self.options))  # merging pops keys
        cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
            dict(h) for h in self.hooks]


ABLATIONS: Dict[str, Ablation] = {
    'sgd': Ablation(
        "Table 8's optimiser and schedule instead of AdamW: SGD, momentum "
        '0.9, weight decay 1e-4, lr 0.01 per 16 images (0.0025 at batch 4), '
        '500 warm-up iterations, steps at epochs 8 and 11',
        {'optim_wrapper': dict(
            _delete_=True, type='OptimWrapper',
            optimizer=dict(type='SGD', lr=0.01, momentum=0.9,
                           weight_decay=1e-4)),
         'param_scheduler': [
             dict(type='LinearLR', start_factor=0.001, by_epoch=False,
                  begin=0, end=500),
             dict(type='MultiStepLR', begin=0, end=12, by_epoch=True,
                  milestones=[8, 11], gamma=0.1)],
         'auto_scale_lr': dict(enable=True, base_batch_size=16)}),
    '24e': Ablation(
        'twice the epochs: 24, the cosine stretched alike (T_max 36)',
        {'train_cfg.max_epochs': 24,
         'param_scheduler.1.T_max': 36, 'param_scheduler.1.end': 24}),
    'fan-in': Ablation(
        'Kaiming init by fan-in instead of fan-out for every backbone conv '
        '(ConvInitHook): a depthwise conv (GhostNet\'s cheap operations, '
        'every MobileNet block) starts with weights sqrt(channels) times '
        'larger', {}, (dict(type='ConvInitHook', mode='fan_in'), )),
    'no-se': Ablation(
        'GhostNet without its squeeze-excite gates (with_se=False)',
        {'model.backbone.with_se': False}, backbones=('ghostnet-1.1x', )),
    'relu-project': Ablation(
        'GhostNet with a ReLU after each bottleneck\'s second Ghost module, '
        'which the paper keeps linear (project_act=True)',
        {'model.backbone.project_act': True}, backbones=('ghostnet-1.1x', )),
}
