"""tools/analysis_tools/benchmark.py runs every part and mode for every backbone and
writes what it promises; no timing is asserted (machines are noisy)."""
import json
import subprocess
import sys

import pytest
import torch

from ghost_det.analysis.benchmark import (
    Record,
    engine_rows,
    family_rows,
    peak_memory_mb,
    ratio_rows,
    variants,
)
from tests._demo_helpers import ROOT


@pytest.mark.slow  # the tool as a process, every part and mode
def test_quick_run_measures_every_backbone_and_mode(tmp_path):
    result = subprocess.run(
        [sys.executable, 'tools/analysis_tools/benchmark.py', '--quick',
         '--threads', '1',
         '--modes', 'eager', 'fold', 'channels_last', 'onnxruntime',
         'openvino', 'openvino_static', '--out-dir', str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert 'environment: python' in out and 'onnxruntime' in out
    # the ratio table comes last
    assert out.rindex('speed relative to the baselines') > out.rindex(
        'train step, input')
    report = json.loads(next(tmp_path.glob('*.json')).read_text())
    assert next(tmp_path.glob('*.png')).stat().st_size > 0
    records = report['records']
    assert not [r for r in records if r['error']]
    backbone = {(r['variant'], r['mode']) for r in records
                if r['part'] == 'backbone'}
    for name in ('GhostNet-1.1x', 'GhostNet-1.0x', 'MobileNetV2-1.0x',
                 'MobileNetV3-L-1.0x'):
        for mode in ('eager', 'fold', 'channels_last', 'onnxruntime',
                     'openvino', 'openvino_static'):
            assert (name, mode) in backbone
    for mode in ('onnxruntime', 'openvino', 'openvino_static'):
        for name in ('GhostNet-1.1x', 'RepGhostNet-1.11x', 'GhostNetV2-1.0x',
                     'GhostNetV3-1.0x'):
            assert (f'{name} deploy', mode) in backbone
    detectors = {(r['part'], r['mode']) for r in records}
    for det in ('RetinaNet', 'Faster R-CNN'):  # end to end in the engines
        for mode in ('onnxruntime', 'openvino'):
            assert (f'{det} inference', mode) in detectors
    parts = {r['part'] for r in records}
    assert parts == {'backbone', 'throughput', 'RetinaNet inference',
                     'RetinaNet train step', 'Faster R-CNN inference',
                     'Faster R-CNN train step'}
    for r in records:
        assert len(r['times_ms']) == 2 and r['median_ms'] > 0
        if r['mode'] not in ('onnxruntime', 'openvino', 'openvino_static'):
            assert r['peak_mb'] > 0
    # the docs' tables come from the saved JSON
    report = subprocess.run(
        [sys.executable, 'tools/analysis_tools/benchmark.py', '--report',
         str(next(tmp_path.glob('*.json')))], cwd=ROOT, capture_output=True,
        text=True)
    assert report.returncode == 0, report.stderr[-2000:]
    assert '| GhostNet-1.1x deploy | - |' in report.stdout
    # the ratio table (2 inputs x 7 modes) and the table by engine (2 inputs
    # x pytorch, onnxruntime, openvino, best engine)
    ratios, by_engine = report.stdout.split('**By engine**')
    by_engine, family = by_engine.split('**The Ghost family by engine**')
    assert ratios.count('| backbone | ') == 14
    assert by_engine.count('| backbone | ') == 8
    # 2 inputs x 4 engines x 5 Ghost-family models
    assert family.count('| backbone | ') == 40
    assert out.rindex('The Ghost family by engine') > out.rindex(
        'By engine: the fastest') > out.rindex(
        'GhostNet-1.1x speed relative to the baselines')


def test_peak_memory_follows_allocations():
    x = torch.randn(1, 64, 128, 128)  # 4 MiB

    def two_live_copies():
        a = x * 2
        b = a + 1  # a and b alive together: 8 MiB
        del a
        return b * 3  # b and the result: 8 MiB

    assert abs(peak_memory_mb(two_live_copies, 'cpu') - 8) < 0.5


def rec(variant: str, mode: str, ms: float) -> Record:
    """A one-repeat backbone record at 224x224, 1 thread."""
    return Record('backbone', variant, mode, (1, 3, 224, 224), 1, 'cpu',
                  times_ms=[ms])


def test_ratio_rows_compare_like_with_like():
    rows = ratio_rows([
        rec('GhostNet-1.1x', 'eager', 10), rec('GhostNet-1.1x', 'fold', 8),
        rec('GhostNet-1.1x deploy', 'fold', 5),
        rec('MobileNetV3-L-1.0x', 'eager', 5),
        rec('MobileNetV3-L-1.0x', 'fold', 4),
        rec('MobileNetV2-1.0x', 'eager', 20),
        rec('MobileNetV2-1.0x', 'fold', 10)])
    by_mode = {r[3]: r for r in rows}
    assert by_mode['eager'][5:] == ['0.50x', '2.00x']
    assert by_mode['fold'][4] == 'GhostNet-1.1x deploy'
    assert by_mode['fold'][5:] == ['0.80x', '2.00x']
    assert by_mode['best of each'][5:] == ['0.80x (fold)', '2.00x (fold)']


def test_deploy_variant_only_where_generic_rewrites_are():
    pair = ['GhostNet-1.1x', 'MobileNetV2-1.0x']
    small, large = (1, 3, 224, 224), (1, 3, 800, 1344)
    assert variants(pair, 'eager', small) == [
        ('GhostNet-1.1x', 'GhostNet-1.1x', None),
        ('MobileNetV2-1.0x', 'MobileNetV2-1.0x', None)]
    fold = variants(pair, 'fold', small)
    assert len(fold) == 3  # no deploy variant for the MobileNets
    # each mode gets the layout its engine's default picks at that input
    assert fold[-1] == ('GhostNet-1.1x deploy', 'GhostNet-1.1x', 'fold')
    assert variants(pair, 'channels_last', large)[-1][2] == 'pad1-split'
    assert variants(pair, 'onnxruntime', small)[-1][2] == 'pad8'
    assert variants(pair, 'onnxruntime', large)[-1][2] == 'pad16'
    assert variants(pair, 'openvino_static', large)[-1][2] == 'pad1-split'
    assert variants(pair, 'fold', small, layout='pad8')[-1][2] == 'pad8'
    swept = variants(pair, 'fold', small, sweep=True)
    assert ('GhostNet-1.1x deploy pad16-split', 'GhostNet-1.1x',
            'pad16-split') in swept and len(swept) == 8


def test_op_profile_names_where_the_time_goes():
    from ghost_det.analysis.benchmark import op_profile
    from ghost_det.models import GhostNet
    model = GhostNet()
    model.eval()
    x = torch.randn(1, 3, 64, 64)
    ort = op_profile(model, x, 'onnxruntime', runs=1)
    assert ort['Conv'] > 0 and 'Concat' in ort  # the Ghost modules' concat
    ov = op_profile(model, x, 'openvino_static', runs=1)
    assert any(op.startswith('Convolution') for op in ov)
    assert any(op.startswith('Concat') for op in ov), ov
    eager = op_profile(model, x, 'channels_last', runs=1)
    assert eager['aten::cat'] > 0
    assert sum(eager.values()) > 0


def test_engine_rows_take_the_best_mode_of_each_engine():
    rows = engine_rows([
        rec('GhostNet-1.1x', 'fold', 8), rec('GhostNet-1.1x deploy', 'fold', 6),
        rec('GhostNet-1.1x deploy', 'onnxruntime', 4),
        rec('GhostNet-1.1x deploy', 'openvino_static', 3),
        rec('MobileNetV3-L-1.0x', 'channels_last', 5),
        rec('MobileNetV3-L-1.0x', 'onnxruntime', 4),
        rec('MobileNetV3-L-1.0x', 'openvino', 2),
        rec('MobileNetV2-1.0x', 'fold', 12),
        rec('MobileNetV2-1.0x', 'onnxruntime', 8),
        rec('MobileNetV2-1.0x', 'openvino_static', 6)])
    by_engine = {r[3]: r for r in rows}
    assert by_engine['pytorch'][4:] == [
        '6.00 (deploy, fold)', '5.00 (channels_last)', '12.00 (fold)',
        '0.83x', '2.00x']
    assert by_engine['onnxruntime'][-2:] == ['1.00x', '2.00x']
    assert by_engine['openvino'][-2:] == ['0.67x', '2.00x']
    assert by_engine['best engine'][4:] == [
        '3.00 (deploy, openvino_static)', '2.00 (openvino)',
        '6.00 (openvino_static)', '0.67x', '2.00x']


def test_family_rows_compare_each_ghost_model_in_each_engine():
    rows = family_rows([
        rec('RepGhostNet-1.11x', 'fold', 9),
        rec('RepGhostNet-1.11x deploy', 'onnxruntime', 4),
        rec('GhostNetV3-1.0x deploy', 'onnxruntime', 10),
        rec('MobileNetV3-L-1.0x', 'fold', 6),
        rec('MobileNetV3-L-1.0x', 'onnxruntime', 5),
        rec('MobileNetV2-1.0x', 'fold', 12),
        rec('MobileNetV2-1.0x', 'onnxruntime', 8)])
    by = {(r[3], r[4]): r[5:] for r in rows}
    assert by['pytorch', 'RepGhostNet-1.11x'] == [
        '9.00 (generic, fold)', '0.67x', '1.33x']
    assert by['onnxruntime', 'RepGhostNet-1.11x'] == [
        '4.00 (deploy, onnxruntime)', '1.25x', '2.00x']
    assert by['best engine', 'GhostNetV3-1.0x'][1:] == ['0.50x', '0.80x']
    assert ('pytorch', 'GhostNetV3-1.0x') not in by  # not measured there


def test_every_ghost_family_model_has_a_deploy_variant():
    family = ['RepGhostNet-1.11x', 'GhostNetV3-1.0x', 'MobileNetV2-1.0x']
    got = variants(family, 'onnxruntime', (1, 3, 800, 1344))
    assert got[-2:] == [
        ('RepGhostNet-1.11x deploy', 'RepGhostNet-1.11x', 'fold'),
        ('GhostNetV3-1.0x deploy', 'GhostNetV3-1.0x', 'fold')]
