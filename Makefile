# idrun: `make run` shows the seed demo, `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TFVENV ?= .venv-tf
TFSTAMP := $(TFVENV)/.installed
RANDOM_GRAPHS ?= 1000
RANDOM_CF_GRAPHS ?= 300
IVENV  ?= .venv-install
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
WHEEL  := dist/idrun-$(VERSION)-py3-none-any.whl
SOURCES := pyproject.toml README.md $(shell find idrun -name '*.py')

.PHONY: run test test-install fuzz bench gallery conformance venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/python -m compileall -q idrun  # PYTHONDONTWRITEBYTECODE=1 machines: bytecode once
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	@$(BIN)/python -m compileall -q idrun
	@echo "== y = identity(x) under control_dependencies([x_plus_1]): the assign runs every step"
	$(BIN)/idrun run graphs/control_deps_identity.yaml
	@echo "== y = x (an alias) under the same block: nothing was created, the assign never runs"
	$(BIN)/idrun run graphs/control_deps_alias.yaml

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Mutated gallery specs: no traceback, exit 0/1/2, every spec error located (CI runs 300).
FUZZ_CASES ?= 5000
fuzz: $(STAMP)
	FUZZ_CASES=$(FUZZ_CASES) $(BIN)/python -m pytest -q tests/test_fuzz.py

# What users install: the wheel in fresh venvs, without CuPy and with idrun[gpu]
# (cupy-cuda12x, which imports here but finds no CUDA driver); run from outside the checkout.
$(WHEEL): $(STAMP) $(SOURCES)
	rm -rf build $(WHEEL)
	mkdir -p dist
	$(BIN)/pip wheel --quiet --no-deps -w dist . >dist/wheel.log 2>&1 || { cat dist/wheel.log; exit 1; }
	test -f $@

$(IVENV)/plain/.installed: $(WHEEL)
	test -x $(IVENV)/plain/bin/pip || $(PYTHON) -m venv $(IVENV)/plain
	$(IVENV)/plain/bin/pip install --quiet $(WHEEL)
	$(IVENV)/plain/bin/pip install --quiet --force-reinstall --no-deps $(WHEEL)
	touch $@

$(IVENV)/cupy/.installed: $(WHEEL)
	test -x $(IVENV)/cupy/bin/pip || $(PYTHON) -m venv $(IVENV)/cupy
	for try in 1 2 3; do $(IVENV)/cupy/bin/pip install --quiet '$(WHEEL)[gpu]' && break; \
	  echo "idrun[gpu] (cupy-cuda12x) install failed (try $$try), retrying"; sleep 10; done
	$(IVENV)/cupy/bin/python -c "import cupy"
	$(IVENV)/cupy/bin/pip install --quiet --force-reinstall --no-deps $(WHEEL)
	touch $@

test-install: $(IVENV)/plain/.installed $(IVENV)/cupy/.installed
	$(PYTHON) scripts/check_install.py $(IVENV)/plain $(IVENV)/cupy

gallery: $(STAMP)
	$(BIN)/python scripts/gallery.py

# TensorFlow lives in its own venv: it is a reference to check against, never a dependency.
$(TFSTAMP):
	$(PYTHON) -m venv $(TFVENV)
	$(TFVENV)/bin/pip install --quiet --upgrade pip
	for try in 1 2 3; do $(TFVENV)/bin/pip install --quiet 'tensorflow-cpu==2.21.*' && break; \
	  echo "tensorflow-cpu install failed (try $$try), retrying"; sleep 10; done
	$(TFVENV)/bin/python -c "import tensorflow" 2>/dev/null
	touch $(TFSTAMP)

conformance: $(STAMP) $(TFSTAMP)
	$(BIN)/python scripts/conformance.py --tf-python $(TFVENV)/bin/python --random $(RANDOM_GRAPHS) --random-control-flow $(RANDOM_CF_GRAPHS)

bench: $(STAMP)
	$(BIN)/python -m compileall -q idrun
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) $(TFVENV) $(IVENV) dist build .pytest_cache
