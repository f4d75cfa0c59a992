"""Import mmpretrain safely beside transformers >= 5.

mmpretrain 1.2.0 imports its multimodal models (BLIP, ...) whenever
transformers >= 4.28 is installed, and that code raises a TypeError under
transformers 5. ``import mmdet.models`` imports mmpretrain when present and
catches only ImportError, so the whole of mmdet breaks. We import mmpretrain
first, telling it transformers is absent when the installed one is too new:
its classification models (e.g. MobileNetV3) work; its multimodal models
raise mmpretrain's own "requires extra multi-modal dependencies" error.
"""
import contextlib
import importlib
import sys
import warnings
from importlib import metadata
from typing import Iterator, Optional

# First transformers release whose API mmpretrain 1.2.0 cannot import.
FIRST_INCOMPATIBLE_TRANSFORMERS = 5


def _version(dist: str) -> Optional[str]:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def transformers_too_new() -> bool:
    version = _version('transformers')
    if version is None:
        return False
    try:
        major = int(version.split('.')[0])
    except ValueError:
        return False
    return major >= FIRST_INCOMPATIBLE_TRANSFORMERS


@contextlib.contextmanager
def _hide_distribution(name: str) -> Iterator[None]:
    """Make importlib_metadata report ``name`` as not installed."""
    import importlib_metadata
    original = importlib_metadata.distribution

    def distribution(dist_name, *args, **kwargs):
        if dist_name == name:
            raise importlib_metadata.PackageNotFoundError(dist_name)
        return original(dist_name, *args, **kwargs)

    importlib_metadata.distribution = distribution
    try:
        yield
    finally:
        importlib_metadata.distribution = original
        dependency = sys.modules.get('mmpretrain.utils.dependency')
        if dependency is not None:
            dependency.distribution = original


def import_mmpretrain():
    """Import and return ``mmpretrain.models``, or None if not installed."""
    if 'mmpretrain.models' in sys.modules:
        return sys.modules['mmpretrain.models']
    if _version('mmpretrain') is None:
        return None
    if not transformers_too_new():
        return importlib.import_module('mmpretrain.models')
    warnings.warn(
        f'transformers {_version("transformers")} is installed, which '
        'mmpretrain 1.2.0 cannot import; ghost_det loads mmpretrain without '
        'its multimodal models (classification models such as MobileNetV3 '
        'work). Install "transformers<5" if you need them.', stacklevel=2)
    with _hide_distribution('transformers'):
        return importlib.import_module('mmpretrain.models')


MMPRETRAIN_HINT = (
    'it needs mmpretrain (the MobileNetV3 baselines and the ImageNet '
    'pretraining configs do; GhostNet and its family do not): '
    'pip install "mmpretrain>=1.2.0,<1.3.0", or pip install -e ".[mmpretrain]" '
    'in this checkout')


def uses_mmpretrain(cfg) -> bool:
    """Whether a config (or any part of it) builds something of
    mmpretrain's: a ``mmpretrain.*`` type or the ``mmpretrain`` scope."""
    if isinstance(cfg, dict):
        return any((k in ('type', '_scope_', 'default_scope')
                    and isinstance(v, str)
                    and (v == 'mmpretrain' or v.startswith('mmpretrain.')))
                   or uses_mmpretrain(v) for k, v in cfg.items())
    if isinstance(cfg, (list, tuple)):
        return any(uses_mmpretrain(v) for v in cfg)
    return False


def read_config(path: str):
    """``Config.fromfile(path)``, stopping with the install line when the
    config needs mmpretrain and it is not installed."""
    from mmengine.config import Config
    try:
        cfg = Config.fromfile(path)
    except Exception as err:
        if 'mmpretrain' in str(err) and import_mmpretrain() is None:
            raise SystemExit(f'error: {path}: {MMPRETRAIN_HINT}') from err
        raise
    if uses_mmpretrain(cfg._cfg_dict.to_dict()) and import_mmpretrain() is None:
        raise SystemExit(f'error: {path}: {MMPRETRAIN_HINT}')
    return cfg
