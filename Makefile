# The README's commands. Each one installs first (quick when already done).
PY := .venv/bin/python

.PHONY: install test demo lint cost benchmark
install:
	bash scripts/install.sh

test: install
	$(PY) -m pytest tests

demo: install
	$(PY) tools/demo.py

lint: install
	$(PY) -m ruff check ghost_det tools tests configs

cost: install
	$(PY) tools/get_flops.py

benchmark: install
	$(PY) tools/benchmark.py --threads 1 all --profile
