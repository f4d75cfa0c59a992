"""Check the datasets of a config before the first training iteration."""
from mmdet.registry import HOOKS
from mmengine.hooks import Hook


class DatasetError(ValueError):
    """The config's datasets would crash training or train on wrong data."""


@HOOKS.register_module()
class DatasetCheckHook(Hook):
    """Check the train and val datasets before the first iteration.

    Runs :func:`ghost_det.datasets.check.check_config_datasets` on the
    config (annotation files, boxes, ids, categories; image files: looked
    for with ``check_images='exists'``, the default, decoded with
    'decode', skipped with False) and stops with :class:`DatasetError`
    listing what is wrong, instead of failing hours later inside a data
    loader worker. What COCO itself contains (crowd boxes, images without
    objects, grayscale images) is a warning only: training handles it.
    """

    priority = 'VERY_HIGH'

    def __init__(self, check_images='exists', max_listed: int = 10) -> None:
        self.check_images = check_images
        self.max_listed = max_listed

    def before_train(self, runner) -> None:
        from ...datasets.check import check_config_datasets
        reports = check_config_datasets(runner.cfg,
                                        check_images=self.check_images)
        errors = [f'{r.name}: {e}' for r in reports for e in r.errors]
        warnings = sum(len(r.warnings) for r in reports)
        if warnings:
            runner.logger.info(
                f'dataset check: {warnings} warning(s) (training handles '
                f'them; list them with tools/misc/check_dataset.py)')
        if errors:
            listed = '\n  '.join(errors[:self.max_listed])
            more = len(errors) - self.max_listed
            raise DatasetError(
                f'the dataset check found {len(errors)} error(s); training '
                f'did not start:\n  {listed}'
                + (f'\n  ... and {more} more' if more > 0 else '')
                + '\nFix the annotation file(s) or images, list everything '
                'with python tools/misc/check_dataset.py CONFIG, or turn the '
                'check off (not advised) by removing DatasetCheckHook from '
                'custom_hooks.')
