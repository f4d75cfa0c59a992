import shutil
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent


def version() -> str:
    """ghost_det/version.py's ``__version__``, the one place it is kept."""
    scope: dict = {}
    exec((ROOT / 'ghost_det' / 'version.py').read_text(), scope)
    return scope['__version__']


def requirements(name: str) -> list:
    path = ROOT / 'requirements' / name
    return [line.split('#')[0].strip() for line in path.read_text().splitlines()
            if line.split('#')[0].strip()]


class BuildPyWithConfigs(build_py):
    """Copy configs/ and model-index.yml into ghost_det/.mim of a built
    package, where mmengine looks up ``ghost_det::`` config paths. An
    editable install uses the checkout's ghost_det/.mim links instead."""

    def run(self) -> None:
        super().run()
        if getattr(self, 'editable_mode', False):
            return
        mim = Path(self.build_lib) / 'ghost_det' / '.mim'
        shutil.rmtree(mim, ignore_errors=True)
        shutil.copytree(ROOT / 'configs', mim / 'configs',
                        ignore=shutil.ignore_patterns('__pycache__'))
        shutil.copy(ROOT / 'model-index.yml', mim / 'model-index.yml')


setup(
    name='ghost_det',
    version=version(),
    description='GhostNet backbones for MMDetection',
    long_description=(ROOT / 'README.md').read_text(encoding='utf-8'),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    packages=find_packages(include=['ghost_det', 'ghost_det.*']),
    python_requires='>=3.8',
    install_requires=requirements('runtime.txt'),
    extras_require={
        'tests': (requirements('tests.txt') + requirements('deploy.txt')
                  + requirements('mmpretrain.txt')),
        'deploy': requirements('deploy.txt'),
        'mmpretrain': requirements('mmpretrain.txt')},
    cmdclass={'build_py': BuildPyWithConfigs},
)
