# idrun: `make run` shows the seed demo, `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TFVENV ?= .venv-tf
TFSTAMP := $(TFVENV)/.installed
RANDOM_GRAPHS ?= 1000

.PHONY: run test bench gallery conformance venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	@echo "== y = identity(x) under control_dependencies([x_plus_1]): the assign runs every step"
	$(BIN)/idrun run graphs/control_deps_identity.yaml
	@echo "== y = x (an alias) under the same block: nothing was created, the assign never runs"
	$(BIN)/idrun run graphs/control_deps_alias.yaml

test: $(STAMP)
	$(BIN)/python -m pytest -q

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
	$(BIN)/python scripts/conformance.py --tf-python $(TFVENV)/bin/python --random $(RANDOM_GRAPHS)

bench: $(STAMP)
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) $(TFVENV) .pytest_cache
