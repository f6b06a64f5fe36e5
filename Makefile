# Every target bootstraps .venv from nothing, so a fresh clone needs only `make run` / `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast lint bench fuzz clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/carbon-wizard

# The whole suite, as CI runs it (the import contracts and the types included:
# tests/core/test_import_contracts.py, tests/core/test_types.py).
test: $(STAMP)
	$(BIN)/python -m pytest

# The inner loop: no full-screen app or tmux (ui), no database server or sshd (servers), no
# real ansible-playbook run (slow); tests/conftest.py marks them.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not ui and not servers and not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench

# The fuzzer over mutated presets, answers files, sessions, manifests and distribution zips:
# reports internal errors, accepted trees failing `check`, and the time (exit 1 unless both
# are zero). `make test` runs a bounded, repeatable share of it (tests/core/test_fuzz.py).
EXAMPLES ?= 10000
fuzz: $(STAMP)
	$(BIN)/python -m fuzz --examples $(EXAMPLES)

clean:
	rm -rf $(VENV) build *.egg-info
