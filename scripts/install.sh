#!/usr/bin/env bash
# Create .venv in the checkout with the whole stack and ghost_det installed editable.
# Safe to run again: each step is skipped when what it makes is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${GHOST_DET_VENV:-.venv}
PY=${PYTHON:-python3}
C=requirements/constraints.txt
log() { printf '\n[install %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Fast path: one interpreter checks the whole stack (each step below checks
# its own part when this one fails).
ready() { "$VENV/bin/python" - <<'PYEOF' 2>/dev/null
from importlib.metadata import version

import pkg_resources, wheel, ninja, psutil  # noqa: F401
import torch, torchvision  # noqa: F401
import mmcv, mmcv.ops, mmdet, mmengine  # noqa: F401
import ghost_det  # noqa: F401
v = torch.__version__
assert v.split('+')[0] == '2.13.0' and not v.endswith('+cpu'), v
assert mmcv.__version__ == '2.1.0', mmcv.__version__
for name, want in (('mmdet', '3.3.0'), ('mmpretrain', '1.2.0'),
                   ('timm', '1.0.31')):
    assert version(name) == want, name
print(f'torch {v}, mmcv {mmcv.__version__}, mmengine {mmengine.__version__}, '
      f'mmdet {mmdet.__version__}')
PYEOF
}
stamp_newest() {
  for f in setup.py requirements/*.txt; do
    [ "$f" -nt "$VENV/.ghost_det-installed" ] && return 1
  done
  return 0
}
if [ -x "$VENV/bin/python" ] && [ -f "$VENV/.ghost_det-installed" ] \
   && stamp_newest && line=$(ready); then
  log "environment ready: $line"
  exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
  log "creating virtual environment $VENV"
  "$PY" -m venv "$VENV"
fi
pip() { "$VENV/bin/python" -m pip "$@"; }
have() { "$VENV/bin/python" - "$@" <<'PYEOF' 2>/dev/null
import sys
from importlib.metadata import version
for spec in sys.argv[1:]:
    name, want = spec.split('==')
    if version(name) != want:
        sys.exit(1)
PYEOF
}

if ! "$VENV/bin/python" -c 'import pkg_resources, wheel, ninja, psutil' 2>/dev/null; then
  log "pip, setuptools<80 (pkg_resources), wheel, ninja"
  pip install -q -c "$C" --upgrade "pip<26.2" "setuptools<80" wheel ninja psutil
fi

if ! "$VENV/bin/python" -c 'import torch, torchvision; v = torch.__version__; assert v.split("+")[0] == "2.13.0" and not v.endswith("+cpu"), v' 2>/dev/null; then
  log "torch 2.13.0 + torchvision 0.28.0 (public build; several GB, a few minutes)"
  pip install -q -c "$C" "torch===2.13.0" "torchvision==0.28.0"
fi

if ! "$VENV/bin/python" -c 'import mmcv.ops, mmcv; assert mmcv.__version__ == "2.1.0"' 2>/dev/null; then
  log "mmengine 0.10.7, then mmcv 2.1.0 with compiled ops (the first build compiles for about 10 minutes on 2 cores; pip caches the wheel)"
  pip install -q -c "$C" "mmengine==0.10.7"
  MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} pip install -c "$C" --no-build-isolation "mmcv==2.1.0"
fi

if ! have mmdet==3.3.0 mmpretrain==1.2.0 timm==1.0.31 \
   || ! "$VENV/bin/python" -c 'import ghost_det' 2>/dev/null \
   || [ setup.py -nt "$VENV/.ghost_det-installed" ] \
   || [ requirements/runtime.txt -nt "$VENV/.ghost_det-installed" ] \
   || [ requirements/tests.txt -nt "$VENV/.ghost_det-installed" ] \
   || [ requirements/deploy.txt -nt "$VENV/.ghost_det-installed" ] \
   || [ requirements/mmpretrain.txt -nt "$VENV/.ghost_det-installed" ]; then
  log "mmdet 3.3.0, mmpretrain 1.2.0, pycocotools, onnx + onnxruntime, test tools, ghost_det (editable)"
  pip install -q -c "$C" --no-build-isolation -e ".[tests]"
  touch "$VENV/.ghost_det-installed"
fi

log "environment ready: $("$VENV/bin/python" -c 'import torch, mmcv, mmdet, mmengine; print(f"torch {torch.__version__}, mmcv {mmcv.__version__}, mmengine {mmengine.__version__}, mmdet {mmdet.__version__}")')"
