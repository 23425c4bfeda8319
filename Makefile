# idrun: `make run` shows the seed demo, `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench gallery venv clean

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

bench: $(STAMP)
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) .pytest_cache
