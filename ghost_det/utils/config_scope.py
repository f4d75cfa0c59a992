"""``ghost_det::`` config paths, the way ``mmdet::`` works.

A config anywhere can then say
``_base_ = 'ghost_det::ghostnet/retinanet_ghostnet-1.1x_fpn_1x_coco.py'``.
mmengine resolves ``PKG::path`` only for the packages in its
``MODULE2PACKAGE`` table, as ``get_installed_path(MODULE2PACKAGE[PKG])``
``/.mim/configs/path``. We add ``'ghost_det'`` mapped to the module
``ghost_det.version``: mmengine finds no distribution of that name and
falls back to the module's folder, ``ghost_det/``, which holds ``.mim`` in
every install mode (the
distribution's own location is site-packages, wrong for an editable
install). ``ghost_det/.mim`` links to the checkout's ``configs/`` and
``model-index.yml``; ``setup.py`` copies them into built wheels.
"""


def register_config_scope() -> None:
    """Let mmengine resolve ``ghost_det::`` config paths."""
    from mmengine.config import utils
    utils.MODULE2PACKAGE.setdefault('ghost_det', 'ghost_det.version')
