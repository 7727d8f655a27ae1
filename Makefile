# Kiln developer entry points. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HEAT_VENV := .venv-heat
HEAT_PY := $(HEAT_VENV)/bin/python
HEAT_VERSION := 27.0.1
EXAMPLE := examples/web_stack.yaml
PYTEST_ARGS ?=

.PHONY: run test test-fast lint format bench golden clean heat-venv schemas graphviz

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(HEAT_VENV)/.installed:
	$(PYTHON) -m venv $(HEAT_VENV)
	$(HEAT_PY) -m pip install --quiet --upgrade pip
	$(HEAT_PY) -m pip install --quiet 'openstack-heat==$(HEAT_VERSION)'
	touch $@

heat-venv: $(HEAT_VENV)/.installed

# Graphviz for `kiln graph --render` tests: installed when we may (root, apt); else they skip.
graphviz:
	@command -v dot >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		{ apt-get install -y -q graphviz >/dev/null 2>&1 || \
		  { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q graphviz >/dev/null 2>&1; }; }; } || \
		echo "graphviz not installed: the --render tests will skip"

## run: validate the example template and print its IR
run: $(VENV)/.installed
	$(VENV)/bin/kiln validate $(EXAMPLE) -e examples/web_stack_env.yaml
	$(VENV)/bin/kiln dump-ir $(EXAMPLE) -e examples/web_stack_env.yaml | head -40

## test: the whole suite (installs what the tests need, Heat's reference venv included)
test: $(VENV)/.installed $(HEAT_VENV)/.installed graphviz
	KILN_HEAT_PYTHON=$(abspath $(HEAT_PY)) $(PY) -m pytest -q $(PYTEST_ARGS)

## test-fast: no Heat venv, no long property runs
test-fast: $(VENV)/.installed
	$(PY) -m pytest -q -m "not slow" $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check kiln tools tests bench
	$(VENV)/bin/ruff format --check kiln tools
	$(VENV)/bin/mypy

format: $(VENV)/.installed
	$(VENV)/bin/ruff format kiln tools
	$(VENV)/bin/ruff check --fix kiln tools tests bench

## golden: rewrite golden files from the current output (review the diff!)
golden: $(VENV)/.installed
	$(PY) -m pytest -q tests --update-golden

## bench: corpus parse throughput, memory, and CLI start-up; writes bench/results/
bench: $(VENV)/.installed
	$(PY) bench/run.py

## schemas: regenerate kiln/schemas/resources from Heat's own plugin classes
schemas: $(HEAT_VENV)/.installed
	$(HEAT_PY) tools/gen_schemas.py

clean:
	rm -rf $(VENV) $(HEAT_VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
