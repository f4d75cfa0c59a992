# The README's commands. Each one installs first (quick when already done).
PY := .venv/bin/python

.PHONY: install test test-fast demo lint cost benchmark
install:
	bash scripts/install.sh

test: install
	$(PY) -m pytest tests

# the edit loop: everything but the tests that start training, export or
# benchmark processes (marked slow)
test-fast: install
	$(PY) -m pytest tests -m "not slow"

demo: install
	$(PY) tools/demo.py

lint: install
	$(PY) -m ruff check ghost_det tools tests configs

cost: install
	$(PY) tools/analysis_tools/get_flops.py

benchmark: install
	$(PY) tools/analysis_tools/benchmark.py --threads 1 all --parts backbone detector \
		--modes eager fold channels_last onnxruntime openvino openvino_static \
		--layouts fold pad8 pad16 pad1-split pad16-split
	$(PY) tools/analysis_tools/op_profile.py
