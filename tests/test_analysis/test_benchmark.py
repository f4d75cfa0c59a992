"""tools/analysis_tools/benchmark.py: every part and mode for any configs,
the tables of a saved run; no timing is asserted (machines are noisy)."""
import json
import subprocess
import sys

import pytest
import torch

from ghost_det.analysis.benchmark import (
    engine_rows,
    labels,
    mode_table,
    reference_model,
    variants,
)
from ghost_det.analysis.op_profile import op_profile
from ghost_det.analysis.table8 import TABLE8_CONFIGS
from ghost_det.analysis.timing import Record, peak_memory_mb
from ghost_det.models import GhostNet, RepGhostNet
from tests._demo_helpers import ROOT

REPGHOSTNET = 'configs/repghostnet/retinanet_repghostnet-1.11x_fpn_1x_coco.py'


@pytest.mark.slow  # the tool as a process: every part and mode
def test_quick_run_measures_every_config_part_and_mode(tmp_path):
    modes = ['eager', 'fold', 'channels_last', 'onnxruntime', 'openvino',
             'openvino_static']
    result = subprocess.run(
        [sys.executable, 'tools/analysis_tools/benchmark.py', '--quick',
         '--threads', '1', '--batch', '2', '--out-dir', str(tmp_path),
         '--layouts', 'pad16-split', '--configs', *TABLE8_CONFIGS, REPGHOSTNET],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert out.startswith('Device: ') and 'onnxruntime 1.' in out
    # each group's table as measured, the table by engine last
    assert out.rindex('**By engine**') > out.rindex(
        '**Faster R-CNN inference**')
    saved = next(tmp_path.glob('*.json'))
    assert next(tmp_path.glob('*.png')).stat().st_size > 0
    records = json.loads(saved.read_text())['records']
    assert not [r for r in records if r['error']]
    measured = {(r['part'], r['variant'], r['mode']) for r in records}
    names = ['ghostnet-1.1x', 'mobilenetv3-large-1.0x', 'mobilenetv2-1.0x',
             'repghostnet-1.11x']
    for name in names:
        for mode in modes:
            assert ('backbone', name, mode) in measured
    for name in ('ghostnet-1.1x', 'repghostnet-1.11x'):
        for mode in modes[1:]:  # deployed wherever rewrites apply
            assert ('backbone', f'{name} deploy', mode) in measured
    for mode in modes[1:]:  # and in the named layout, GhostNet only
        assert ('backbone', 'ghostnet-1.1x deploy pad16-split',
                mode) in measured
        assert ('RetinaNet inference', 'ghostnet-1.1x deploy pad16-split',
                mode) in measured or mode == 'openvino_static'
    assert not {v for p, v, m in measured if v.startswith('mobilenet') and
                'deploy' in v or v.startswith('repghostnet deploy ')}
    for det in ('RetinaNet', 'Faster R-CNN'):  # end to end in the engines
        for mode in modes[:-1]:
            assert (f'{det} inference', 'ghostnet-1.1x deploy' if
                    mode != 'eager' else 'ghostnet-1.1x', mode) in measured
            assert (f'{det} inference', 'mobilenetv2-1.0x', mode) in measured
        assert (f'{det} inference', 'ghostnet-1.1x',
                'openvino_static') not in measured  # backbones only
    assert ('RetinaNet inference', 'repghostnet-1.11x', 'eager') in measured
    assert not {v for p, v, m in measured
                if p == 'Faster R-CNN inference' and 'repghost' in v}
    for r in records:
        assert len(r['times_ms']) == 2 and r['median_ms'] > 0
        assert r['shape'][0] == (2 if r['part'] == 'backbone' else 1)
        assert (r['peak_mb'] is not None) == (r['mode'] in (
            'eager', 'fold', 'channels_last'))
    # the saved run gives the same tables again
    report = subprocess.run(
        [sys.executable, 'tools/analysis_tools/benchmark.py', '--report',
         str(saved)], cwd=ROOT, capture_output=True, text=True)
    assert report.returncode == 0, report.stderr[-2000:]
    live = out[out.index('**By engine**'):].strip()
    assert report.stdout.strip().endswith(live)
    # no deploy variant in eager: backbone, two detectors
    assert report.stdout.count('| ghostnet-1.1x deploy | - |') == 3


@pytest.mark.slow
@pytest.mark.parametrize('saved', ['benchmark_cpu', 'benchmark_family_cpu',
                                   'benchmark_family_detectors_cpu'])
def test_saved_runs_reproduce_the_tables_on_the_pages(saved):
    report = subprocess.run(
        [sys.executable, 'tools/analysis_tools/benchmark.py', '--report',
         f'docs/{saved}.json'], cwd=ROOT, capture_output=True, text=True)
    assert report.returncode == 0, report.stderr[-2000:]
    pages = [ROOT / 'docs/deploy_and_benchmark.md',
             ROOT / 'configs/repghostnet/README.md']
    quoted = [line for page in pages for line in page.read_text().split(
        f'<!-- report: docs/{saved}.json -->')[1:]]
    assert quoted  # every saved run is quoted somewhere
    for block in quoted:
        table = block.split('<!-- end -->')[0].strip().splitlines()
        assert len(table) > 3
        for line in table:
            assert line in report.stdout, line


def test_config_names_give_detector_and_backbone():
    assert labels(TABLE8_CONFIGS[0]) == ('RetinaNet', 'ghostnet-1.1x')
    assert labels('x/faster-rcnn_mobilenetv2-1.0x_fpn_1x_coco.py') == (
        'Faster R-CNN', 'mobilenetv2-1.0x')
    assert labels('mine.py') == ('mine', 'mine')


def test_peak_memory_follows_allocations():
    x = torch.randn(1, 64, 128, 128)  # 4 MiB

    def two_live_copies():
        a = x * 2
        b = a + 1  # a and b alive together: 8 MiB
        del a
        return b * 3  # b and the result: 8 MiB

    assert abs(peak_memory_mb(two_live_copies, 'cpu') - 8) < 0.5


def rec(variant, mode, ms, part='backbone', shape=(1, 3, 224, 224)):
    return Record(part, variant, mode, shape, 1, 'cpu', times_ms=[ms])


def test_engine_rows_take_each_models_fastest_in_the_engine():
    records = [
        rec('ghost', 'eager', 10), rec('ghost', 'fold', 8),
        rec('ghost deploy', 'fold', 5), rec('ghost deploy', 'onnxruntime', 2),
        rec('v3', 'eager', 5), rec('v3', 'fold', 4), rec('v3', 'onnxruntime', 3),
        rec('v2', 'fold', 16), rec('v2', 'openvino', 1)]
    assert reference_model(records) == 'ghost'  # no MobileNetV3 named
    rows = {(r[3], r[4]): r[5:] for r in engine_rows(records, 'v3')}
    assert rows[('pytorch', 'ghost')] == ['5.00 (deploy, fold)', '0.80x']
    assert rows[('pytorch', 'v2')] == ['16.00 (generic, fold)', '0.25x']
    assert rows[('onnxruntime', 'ghost')] == ['2.00 (deploy, onnxruntime)',
                                              '1.50x']
    assert ('onnxruntime', 'v2') not in rows  # not measured there
    assert ('openvino', 'v2') not in rows  # no reference there
    assert rows[('best engine', 'v2')] == ['1.00 (generic, openvino)', '3.00x']
    # a batch's times are per image
    batch = [rec('a', 'fold', 40, 'backbone', (8, 3, 224, 224)),
             rec('b', 'fold', 80, 'backbone', (8, 3, 224, 224))]
    assert engine_rows(batch, 'b')[0][5:] == ['5.00 (generic, fold)', '2.00x']
    with pytest.raises(ValueError, match='choose one of a, b'):
        reference_model(batch, 'c')
    table = mode_table(batch)
    assert '| a | 5.00 | 0% | - |' in table and 'input 224x224 b8' in table


def test_deploy_variants_only_for_the_ghost_family_outside_eager():
    models = {'ghost': GhostNet(widen_factor=1.1), 'rep': RepGhostNet(),
              'plain': torch.nn.Conv2d(3, 8, 3)}
    assert variants(models, 'eager', ['pad8']) == [
        ('ghost', 'ghost', None), ('rep', 'rep', None),
        ('plain', 'plain', None)]
    assert variants(models, 'fold')[3:] == [
        ('ghost deploy', 'ghost', 'default'), ('rep deploy', 'rep', 'default')]
    # named layouts only where the network can be relaid
    swept = variants(models, 'onnxruntime', ['pad16-split', 'fold'])
    assert [v[0] for v in swept[3:]] == [
        'ghost deploy', 'ghost deploy pad16-split', 'ghost deploy fold',
        'rep deploy']
    assert swept[4][1:] == ('ghost', 'pad16-split')


@pytest.mark.slow  # the tool as a process
def test_a_layout_name_is_checked_before_anything_is_built():
    result = subprocess.run(
        [sys.executable, 'tools/analysis_tools/benchmark.py', '--layouts',
         'pad16', 'pad7x'], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert "--layouts: unknown GhostNet deploy layout 'pad7x'" in (
        result.stderr)


@pytest.mark.slow  # exports and profiles in two engines
def test_op_profile_names_where_the_time_goes():
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


@pytest.mark.slow  # the tool as a process
def test_op_profile_tool_tables_each_backbone_as_the_benchmark_rewrites_it(
        tmp_path):
    result = subprocess.run(
        [sys.executable, 'tools/analysis_tools/op_profile.py', '--shape',
         '64', '96', '--runs', '1', '--layout', 'pad16', '--modes',
         'onnxruntime', 'eager', '--trace-dir', str(tmp_path),
         '--configs', TABLE8_CONFIGS[0], TABLE8_CONFIGS[2]], cwd=ROOT,
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    header = '| operator | ghostnet-1.1x deploy | mobilenetv2-1.0x |'
    assert result.stdout.count(header) == 2
    ort = result.stdout.split('eager, input 64x96')[0]
    assert 'onnxruntime, input 64x96, 1 thread(s)' in ort
    # pad16 keeps the Ghost halves' concat, now of zero-padded halves
    assert '| Concat |' in ort and '| total |' in ort
    assert len(list(tmp_path.glob('*.json'))) == 2  # one trace per model
    assert 'convolution |' in result.stdout.split('eager, input')[1]
