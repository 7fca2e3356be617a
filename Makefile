# Two commands matter: `make book` (set up + build the website) and
# `make test` (set up + run every test). Everything else is a convenience.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HTML   := _build/html
# _ext/ too: Sphinx does not rewrite pages when only an extension's code changes.
BOOK_INPUTS := $(wildcard optlib/*.py optlib/*/*.py) requirements.txt $(wildcard _ext/*.py)
# The browser tests need Chromium from Debian's packages (.ci/run installs it).
CHROMIUM ?= /usr/bin/chromium
# A recipe's first line in each target that drives Chromium ($@ names the target).
chromium_check = @test -x $(CHROMIUM) || { echo "make $@: no Chromium at $(CHROMIUM); install Debian's (apt-get install chromium) or pass CHROMIUM=/path/to/chromium"; exit 1; }

.PHONY: help book test lint unit nbval book-strict browser jupyter lab bench clean

help:
	@echo "make book   set up .venv and build the website into $(HTML)"
	@echo "make test   set up .venv with the test tools and run every test"
	@echo "make lab    open the chapters in JupyterLab, widgets live"
	@echo "make bench  run the benchmarks (Lighthouse on the website too) and print their table"
	@echo "make clean  remove the build and caches (keeps .venv)"

# --- set-up -----------------------------------------------------------------

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.book-installed: $(BIN)/python requirements.txt pyproject.toml
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.book-installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

# --- the book ---------------------------------------------------------------

# The execution cache keys on code cells only. When optlib or the pinned
# requirements change, outputs computed by the old code must not survive, so
# the whole build (cache included) is thrown away.
_build/.inputs-stamp: $(BOOK_INPUTS)
	rm -rf _build
	@mkdir -p _build && touch $@

book: $(VENV)/.book-installed _build/.inputs-stamp
	$(BIN)/jupyter-book build . --keep-going
	@echo
	@echo "The book is built. Open $(CURDIR)/$(HTML)/index.html in a browser."

# The build that `make test` runs: from scratch, every warning an error.
book-strict: $(VENV)/.dev-installed
	rm -rf _build
	$(BIN)/jupyter-book build . -W -n --keep-going
	@mkdir -p _build && touch _build/.inputs-stamp

# --- tests ------------------------------------------------------------------

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The unit tests, and every optlib module's docstring examples.
unit: $(VENV)/.dev-installed
	$(BIN)/pytest -q --doctest-modules tests optlib --ignore=tests/test_site.py --ignore=tests/test_jupyter.py

nbval: $(VENV)/.dev-installed
	$(BIN)/pytest -q --nbval-lax chapters appendices

browser: $(VENV)/.dev-installed
	$(chromium_check)
	$(BIN)/pytest -q tests/test_site.py --chromium=$(CHROMIUM)

# Each chapter in JupyterLab (run as a reader runs it, in Chromium) and in a
# fresh environment with only optlib installed (Colab). Alone: add -m colab.
jupyter: $(VENV)/.dev-installed
	$(chromium_check)
	$(BIN)/pytest -q tests/test_jupyter.py --chromium=$(CHROMIUM)

test: lint unit nbval book-strict browser jupyter

# --- conveniences -----------------------------------------------------------

# Jupyter refuses to start as root unless told; containers often run as root.
lab: $(VENV)/.book-installed
	$(BIN)/jupyter lab chapters/ $(if $(filter 0,$(shell id -u)),--allow-root)

# Lighthouse (the website's rows of the table): a developer tool from npm, pinned
# in benchmarks/lighthouse/package-lock.json; it needs Node 18+ (not the reader).
LIGHTHOUSE := benchmarks/lighthouse/node_modules/.bin/lighthouse
$(LIGHTHOUSE): benchmarks/lighthouse/package.json benchmarks/lighthouse/package-lock.json
	@command -v npm >/dev/null || { echo "make bench: Lighthouse needs Node 18+ and npm"; exit 1; }
	npm ci --prefix benchmarks/lighthouse --no-audit --no-fund
	@touch $@

# OpenBLAS's core-type override slows a current numpy; unset it for timing only.
# Lighthouse audits the site that `make book` built (_build/html), served gzipped.
bench: $(VENV)/.dev-installed $(LIGHTHOUSE) book
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN)/python -m benchmarks --book --readme

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
