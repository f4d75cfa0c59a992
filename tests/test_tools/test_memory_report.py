"""tools/analysis_tools/memory_report.py traces memory over a short training run."""
import re
import subprocess
import sys

import pytest

from tests._demo_helpers import ROOT, tiny_config, tiny_dataset

pytestmark = pytest.mark.slow  # starts the tools as processes


def test_reports_peak_and_growth_after_warmup(tmp_path):
    data = tiny_dataset(tmp_path / 'data', num_train=8, num_val=4)
    result = subprocess.run(
        [sys.executable, 'tools/analysis_tools/memory_report.py',
         str(tiny_config(tmp_path, data)), '--iters', '12', '--warmup', '4',
         '--work-dir', str(tmp_path / 'work')],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert 'after each of 12 iterations at batch 2' in out
    rows = re.findall(r'iteration +(\d+): +([\d.]+)', out)
    assert [int(i) for i, _ in rows] == list(range(1, 13))
    peak = float(re.search(r'peak ([\d.]+) MB', out).group(1))
    assert peak == max(float(v) for _, v in rows) > 100
    assert 'median of the second half minus the first' in out


def test_bad_warmup(tmp_path):
    result = subprocess.run(
        [sys.executable, 'tools/analysis_tools/memory_report.py', 'configs/demo/'
         'retinanet_ghostnet-1.1x_fpn_demo.py', '--iters', '10',
         '--warmup', '10'], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0 and '0 < --warmup < --iters' in (
        result.stderr)
