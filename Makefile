# Shortcuts for the commands in README.md. Every target works from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: help install run build test lint bench clean

# List the targets with what they do.
help:
	@awk '/^# /{doc = doc (doc == "" ? "" : "\n           ") substr($$0, 3); next} \
	     /^[a-z]+:/{sub(":.*", "", $$1); if (doc != "") printf "  %-8s %s\n", $$1, doc} \
	     {doc = ""}' $(MAKEFILE_LIST)

# Create the virtual environment and install dakg with its test tools.
install: $(BIN)/dakg
$(BIN)/dakg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Build the graph (if needed) and serve it on http://127.0.0.1:8000/.
run: install
	$(BIN)/dakg serve

# Build the graph into ./var and print figures about it.
build: install
	$(BIN)/dakg build && $(BIN)/dakg stats

# Run the test suite (the same command CI runs).
test: install
	$(BIN)/python -m pytest

# Lint, and type-check the package as installed and the tests (graph/ and server/ become
# dakg.graph and dakg.server only once installed, so mypy reads an installed copy).
lint: install
	$(BIN)/ruff check .
	rm -rf .mypy-build build && $(BIN)/pip install --quiet --no-deps --target .mypy-build .
	cp -r tests .mypy-build/tests
	cd .mypy-build && ../$(BIN)/mypy --python-executable ../$(BIN)/python -p dakg -p tests

# The server benchmarks need wrk (apt-get install wrk). Every benchmark runs; the target
# fails if any of them missed its target.
# Run the benchmarks: build time, server throughput, dakg beside its peers (bench/results/).
bench: install
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	status=0; \
	$(BIN)/python bench/build.py || status=1; \
	$(BIN)/python bench/server.py || status=1; \
	$(BIN)/python bench/peers.py || status=1; \
	exit $$status

# Remove the store, dumps and caches (not the virtual environment).
clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
