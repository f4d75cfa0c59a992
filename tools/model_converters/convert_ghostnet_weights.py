"""Convert official or timm GhostNet / RepGhostNet / GhostNetV2 / GhostNetV3
ImageNet weights for ghost_det.

    python tools/model_converters/convert_ghostnet_weights.py state_dict_73.98.pth \
        checkpoints/ghostnet-1.0x_in1k.pth

The source may be the official ``state_dict_73.98.pth``, a timm
``ghostnet_*``, ``ghostnetv2_*``, ``ghostnetv3_*`` or ``repghostnet_*``
state dict (``.pth``/``.bin`` or
``.safetensors``) or any checkpoint wrapping one under
``state_dict``/``model``. The family and the width are read from the
weights. The output holds
``backbone.*`` and ``head.*`` keys; load it in a detector config with
``init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')``.
"""
import argparse
import sys
from pathlib import Path

import torch

from ghost_det.models import GhostNet, GhostNetV2, GhostNetV3, RepGhostNet
from ghost_det.models.utils import (
    convert_state_dict,
    infer_family,
    infer_widen_factor,
    unwrap_state_dict,
)


def load_source(path: Path) -> dict:
    if not path.is_file():
        sys.exit(f'error: {path} does not exist or is not a file')
    if path.suffix == '.safetensors':
        from safetensors.torch import load_file
        return load_file(str(path))
    # ImageNet checkpoints are plain tensors: the safe loader is enough.
    return torch.load(path, map_location='cpu', weights_only=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', type=Path, help='official or timm weights')
    parser.add_argument('dst', type=Path, help='converted checkpoint (.pth)')
    parser.add_argument(
        '--widen-factor', type=float, default=None,
        help='width of the source model (default: inferred from blocks.9)')
    args = parser.parse_args()

    source = unwrap_state_dict(load_source(args.src))
    converted, unplaced = convert_state_dict(source)
    try:
        widen = args.widen_factor or infer_widen_factor(source)
    except KeyError as err:
        sys.exit(f'error: {args.src}: {err.args[0]}')
    backbone = {k[len('backbone.'):]: v for k, v in converted.items()
                if k.startswith('backbone.')}
    family = infer_family(source)
    backbone_class = {'GhostNet': GhostNet, 'GhostNetV2': GhostNetV2,
                      'GhostNetV3': GhostNetV3,
                      'RepGhostNet': RepGhostNet}[family]
    model = backbone_class(widen_factor=widen, out_indices=(9, ))
    result = model.load_state_dict(backbone, strict=False)

    print(f'source: {args.src} ({len(source)} tensors), '
          f'{family} {widen:g}x (from blocks.9 width)')
    print(f'converted: {len(backbone)} backbone + '
          f'{len(converted) - len(backbone)} head tensors')
    for title, keys in (('could not place', unplaced),
                        ('missing backbone keys', result.missing_keys),
                        ('unexpected backbone keys',
                         result.unexpected_keys)):
        print(f'{title}: {len(keys)}' + ''.join(f'\n  {k}' for k in keys))
    args.dst.parent.mkdir(parents=True, exist_ok=True)
    torch.save({'state_dict': converted,
                'meta': {'source': str(args.src), 'family': family,
                         'widen_factor': widen}},
               args.dst)
    print(f'saved {args.dst}')
    ok = not (unplaced or result.missing_keys or result.unexpected_keys)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
