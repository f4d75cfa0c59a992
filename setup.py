from pathlib import Path

from setuptools import find_packages, setup


def requirements(name: str) -> list:
    path = Path(__file__).parent / 'requirements' / name
    return [line.split('#')[0].strip() for line in path.read_text().splitlines()
            if line.split('#')[0].strip()]


setup(
    name='ghost_det',
    version='0.1.0',
    description='GhostNet backbones for MMDetection',
    long_description=Path('README.md').read_text(encoding='utf-8'),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    packages=find_packages(include=['ghost_det', 'ghost_det.*']),
    python_requires='>=3.8',
    install_requires=requirements('runtime.txt'),
    extras_require={'tests': requirements('tests.txt')},
)
