# Kiln developer entry points. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HEAT_VENV := .venv-heat
HEAT_PY := $(HEAT_VENV)/bin/python
HEAT_VERSION := 27.0.1
PEERS_VENV := .venv-peers
CFNLINT_VERSION := 1.58.0
EXAMPLE := examples/web_stack.yaml
PYTEST_ARGS ?=
# The sandbox (`kiln sandbox`): a real OpenStack on 127.0.0.1 for the deploy tests.
SANDBOX ?= 1
SANDBOX_HOME ?= $(or $(KILN_SANDBOX_HOME),$(or $(XDG_DATA_HOME),$(HOME)/.local/share)/kiln/sandbox)
SANDBOX_KILN = $(VENV)/bin/kiln sandbox

.PHONY: run test test-fast lint format bench golden clean heat-venv peers-venv schemas rules-doc graphviz \
	sandbox-up sandbox-down

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

# cfn-lint, the version peers.md measured, for the lint acceptance tests and the bench.
$(PEERS_VENV)/.installed:
	$(PYTHON) -m venv $(PEERS_VENV)
	echo '*' > $(PEERS_VENV)/.gitignore
	$(PEERS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PEERS_VENV)/bin/python -m pip install --quiet 'cfn-lint==$(CFNLINT_VERSION)'
	touch $@

peers-venv: $(PEERS_VENV)/.installed

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

## test: the whole suite (installs what the tests need, Heat's reference venv included). The deploy
## tests use the sandbox: brought up first and taken down after, pass or fail (a trap), unless one
## was already running, which is left running. Swift is on so OS::Swift::Container is deployed
## too (Heat, needed only by the deploy bench, is not). SANDBOX=0: no sandbox (those tests skip).
test: $(VENV)/.installed $(HEAT_VENV)/.installed $(PEERS_VENV)/.installed graphviz
	if [ "$(SANDBOX)" = 1 ] && ! $(SANDBOX_KILN) status --state-dir '$(SANDBOX_HOME)' >/dev/null 2>&1; then \
		trap "$(SANDBOX_KILN) down --state-dir '$(SANDBOX_HOME)'" EXIT; trap 'exit 130' INT TERM; \
		$(SANDBOX_KILN) up --with-swift --state-dir '$(SANDBOX_HOME)' || exit 1; fi; \
	KILN_SANDBOX_CLOUDS=$(if $(filter 1,$(SANDBOX)),'$(SANDBOX_HOME)/clouds.yaml') \
	KILN_HEAT_PYTHON=$(abspath $(HEAT_PY)) KILN_CFNLINT=$(abspath $(PEERS_VENV)/bin/cfn-lint) \
		$(PY) -m pytest -q $(PYTEST_ARGS)

## sandbox-up, sandbox-down: start (installing what it needs) or stop the sandbox in SANDBOX_HOME
sandbox-up: $(VENV)/.installed
	$(SANDBOX_KILN) up --state-dir '$(SANDBOX_HOME)'

sandbox-down: $(VENV)/.installed
	$(SANDBOX_KILN) down --state-dir '$(SANDBOX_HOME)'

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
bench: $(VENV)/.installed $(PEERS_VENV)/.installed
	KILN_CFNLINT=$(abspath $(PEERS_VENV)/bin/cfn-lint) $(PY) bench/run.py

## rules-doc: regenerate docs/rules.md from the rule registry
rules-doc: $(VENV)/.installed
	$(PY) tools/gen_rules_doc.py

## schemas: regenerate kiln/schemas/resources from Heat's own plugin classes
schemas: $(HEAT_VENV)/.installed
	$(HEAT_PY) tools/gen_schemas.py

clean:
	rm -rf $(VENV) $(HEAT_VENV) $(PEERS_VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
