# Trellis developer tasks.
#
#   make setup    create .venv from requirements.lock, build llama-cpp-python
#                 portably, install Trellis (editable), fetch the default model.
#                 Idempotent: with nothing changed it takes about a second.
#   make run      start the desktop app
#   make test     the whole pytest suite, headless Qt, real Secret Service
#   make bench    benchmarks of the store and the model (bench/run.py)
#   make stress   1000 kills during writes, a 100,000-note import, 50 CLI
#                 readers against a writer (bench/stress.py; not in make test)
#   make bundle   the PyInstaller one-folder bundle in dist/trellis/, with its
#                 file manifest and a CycloneDX SBOM
#   make package  the .deb dist/trellis_<version>_amd64.deb and a signed APT
#                 repository in dist/apt/ (key: TRELLIS_SIGNING_KEY, else a
#                 throw-away key; see packaging/linux/README.md)
#   make package-test  build the package, then check it: lintian, the desktop
#                 entry, the metainfo, apt with signed-by, a tampered index,
#                 and `trellis doctor` from the extracted .deb
#   make lock     regenerate requirements.lock from pyproject.toml
#   make clean    remove .venv and build debris; `make distclean` also removes
#                 the llama-cpp-python wheel cache and the downloaded model
#
# Setup state lives in stamp files inside .venv whose names carry a hash of
# the inputs (requirements.lock and the llama build flags; pyproject.toml),
# so editing either file re-runs just the steps that depend on it.
#
# llama-cpp-python is never installed from pip's own caches: it is built from
# the sdist with the portable flags below into a project-local wheel cache
# ($(LLAMA_WHEEL_DIR)), and installed from there. A native build enables
# ggml's AMX kernels on these machines and crashes on the first decode (see
# DESIGN.md, "The on-device model"). To skip the 5-minute build you may copy
# a wheel built with exactly these flags into that directory.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := setup

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
LOCK := requirements.lock

LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
LLAMA_BUILD_JOBS ?= 2
LLAMA_VERSION := $(shell sed -n 's/^llama-cpp-python==//p' $(LOCK) 2>/dev/null)
PIP_VERSION := $(shell sed -n 's/^pip==//p' $(LOCK) 2>/dev/null)

key = $(shell { $(1); } 2>/dev/null | sha256sum | cut -c1-16)
LLAMA_KEY := $(call key,echo '$(LLAMA_VERSION) $(LLAMA_CMAKE_ARGS)')
DEPS_KEY := $(call key,cat $(LOCK); echo '$(LLAMA_CMAKE_ARGS)')
PROJECT_KEY := $(call key,cat pyproject.toml)

WHEEL_CACHE := .cache/wheels
LLAMA_WHEEL_DIR := $(WHEEL_CACHE)/llama-cpp-python-$(LLAMA_VERSION)-$(LLAMA_KEY)
VENV_STAMP := $(VENV)/pyvenv.cfg
DEPS_STAMP := $(VENV)/.trellis-deps-$(DEPS_KEY)
PROJECT_STAMP := $(VENV)/.trellis-project-$(PROJECT_KEY)

WITH_SECRETS := bash tests/with_secret_service.sh
PYTEST_ARGS ?=

.PHONY: setup run test bench stress lock clean distclean llama-wheel

setup: $(PROJECT_STAMP)
	$(PY) -m app.llm.fetch --models-dir models

run: setup
	$(VENV)/bin/trellis-desktop

test: setup
	QT_QPA_PLATFORM=offscreen $(WITH_SECRETS) $(PY) -m pytest $(PYTEST_ARGS)

# The store and model benchmarks (bench/run.py; `--only store|llm` runs one).
# The model part writes a synthetic GGUF with the `gguf` package: a bench-only
# extra pinned in $(BENCH_LOCK), installed once per content of that file.
BENCH_LOCK := requirements-bench.lock
BENCH_STAMP := $(VENV)/.trellis-bench-deps-$(call key,cat $(BENCH_LOCK))

bench: setup $(BENCH_STAMP)
	$(PY) bench/run.py

$(BENCH_STAMP): $(DEPS_STAMP)
	rm -f $(VENV)/.trellis-bench-deps-*
	$(PIP) install --no-deps -r $(BENCH_LOCK)
	$(PIP) check
	touch $@

# The PyInstaller bundle dist/trellis/ with its manifest and SBOM
# (packaging/bundle/build.py). PyInstaller is pinned in $(PACKAGE_LOCK),
# installed once per content of that file.
PACKAGE_LOCK := requirements-package.lock
PACKAGE_STAMP := $(VENV)/.trellis-package-deps-$(call key,cat $(PACKAGE_LOCK))

.PHONY: bundle
bundle: setup $(PACKAGE_STAMP)
	$(PY) packaging/bundle/build.py

$(PACKAGE_STAMP): $(DEPS_STAMP)
	rm -f $(VENV)/.trellis-package-deps-*
	$(PIP) install --no-deps -r $(PACKAGE_LOCK)
	$(PIP) check
	touch $@

# The .deb and the signed APT repository around the bundle (packaging/linux/).
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
DEB := dist/trellis_$(VERSION)_amd64.deb

.PHONY: package package-test
package: bundle
	packaging/linux/build-deb.sh dist/trellis $(VERSION) dist
	packaging/linux/build-apt-repo.sh $(DEB) dist/apt dist/trellis-archive-keyring.gpg

# The bundle and package tests skip when there is no bundle or .deb, so
# `make test` on a fresh clone stays fast; here they run on what was built.
package-test: package
	$(PY) -m pytest tests/test_bundle.py tests/test_bundle_sbom.py tests/test_package.py $(PYTEST_ARGS)

# 1000 kills during writes, a 100,000-note import, 50 CLI readers against a
# writer (bench/stress.py, figures in bench/stress.json); then 200 stores
# killed while being created; then 100 kills each during an import, a backup,
# a restore, a schema upgrade and a model import. About 28 minutes on 2 cores.
stress: setup
	$(WITH_SECRETS) $(PY) bench/stress.py
	TRELLIS_CRASH_KILLS=1000 QT_QPA_PLATFORM=offscreen $(WITH_SECRETS) \
	    $(PY) -m pytest tests/test_crash_durability.py -k creating_the_store $(PYTEST_ARGS)
	TRELLIS_FAULT_KILLS=100 $(WITH_SECRETS) $(PY) -m pytest tests/test_faults_kill.py $(PYTEST_ARGS)

$(VENV_STAMP):
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
	    echo "error: '$(PYTHON)' not found. Trellis needs Python 3.11:" \
	         "install it (e.g. 'pyenv install 3.11') or run 'make PYTHON=/path/to/python3.11'." >&2; \
	    exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { \
	    echo "error: '$(PYTHON)' is Python $$($(PYTHON) -V 2>&1), Trellis needs 3.11." >&2; \
	    exit 1; }
	$(PYTHON) -m venv $(VENV)

# Locked dependencies, exactly as pinned, without resolving anything else.
$(DEPS_STAMP): | $(VENV_STAMP)
	@test -n "$(LLAMA_VERSION)" -a -n "$(PIP_VERSION)" || { \
	    echo "error: $(LOCK) must pin llama-cpp-python and pip" >&2; exit 1; }
	rm -f $(VENV)/.trellis-deps-* $(VENV)/.trellis-project-*
	$(PIP) install --quiet pip==$(PIP_VERSION)
	grep -v '^llama-cpp-python==' $(LOCK) > $(VENV)/requirements-without-llama.txt
	$(PIP) install --no-deps -r $(VENV)/requirements-without-llama.txt
	$(MAKE) --no-print-directory llama-wheel
	$(PIP) install --no-deps --no-index --force-reinstall $(LLAMA_WHEEL_DIR)/llama_cpp_python-$(LLAMA_VERSION)-*.whl
	$(PY) -c 'import llama_cpp; print("llama_cpp", llama_cpp.__version__, "imports")'
	touch $@

# Build llama-cpp-python from the sdist unless the cache already has the wheel.
# --no-binary and --no-cache-dir keep pip from reusing any cached (native) build.
llama-wheel: | $(VENV_STAMP)
	@if ls $(LLAMA_WHEEL_DIR)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1; then \
	    echo "llama-cpp-python $(LLAMA_VERSION): using cached wheel in $(LLAMA_WHEEL_DIR)"; \
	else \
	    echo "llama-cpp-python $(LLAMA_VERSION): building from sdist (about 5 minutes on 2 cores)"; \
	    rm -rf $(LLAMA_WHEEL_DIR).partial; \
	    mkdir -p $(LLAMA_WHEEL_DIR).partial; \
	    CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$(LLAMA_BUILD_JOBS) \
	        $(PIP) wheel --no-deps --no-cache-dir --no-binary llama-cpp-python \
	        -w $(LLAMA_WHEEL_DIR).partial llama-cpp-python==$(LLAMA_VERSION); \
	    rm -rf $(LLAMA_WHEEL_DIR); \
	    mv $(LLAMA_WHEEL_DIR).partial $(LLAMA_WHEEL_DIR); \
	fi

# Trellis itself, editable; then check that the environment is consistent.
$(PROJECT_STAMP): $(DEPS_STAMP)
	rm -f $(VENV)/.trellis-project-*
	$(PIP) install --no-deps -e .
	$(PIP) check
	touch $@

# Resolve pyproject.toml afresh (newest allowed versions) in a scratch venv and
# rewrite requirements.lock; no package is installed. Review the diff, then
# run `make setup test`.
lock:
	rm -rf .cache/lock
	$(PYTHON) -m venv .cache/lock/venv
	.cache/lock/venv/bin/python -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	.cache/lock/venv/bin/python -m pip install --quiet --disable-pip-version-check \
	    --dry-run --ignore-installed --report .cache/lock/report.json '.[desktop,model,test]'
	.cache/lock/venv/bin/python -c "$$LOCK_WRITER" .cache/lock/report.json > .cache/lock/requirements.lock
	mv .cache/lock/requirements.lock $(LOCK)
	rm -rf .cache/lock

define LOCK_WRITER
import json, re, sys
HEADER = """# requirements.lock: exact pins for Trellis on CPython 3.11, Linux x86_64.
# Every runtime, desktop, model and test dependency in pyproject.toml and all
# of their transitive dependencies, one `name==version` a line.
#
# Regenerate with `make lock`: it resolves pyproject.toml afresh in a scratch
# venv (`pip install --dry-run --ignore-installed --report`) and rewrites this
# file. Then run `make setup test` and commit the result.
#
# `make setup` installs these with `pip install --no-deps`, all but
# llama-cpp-python, which it builds from the sdist with portable CMAKE_ARGS
# (see the Makefile and DESIGN.md, "The on-device model").
"""
report = json.load(open(sys.argv[1]))
pins = set()
for item in report["install"]:
    name = re.sub(r"[-_.]+", "-", item["metadata"]["name"]).lower()
    if name != "trellis":
        pins.add(f"{name}=={item['metadata']['version']}")
print(HEADER + "\n".join(sorted(pins, key=lambda pin: pin.split("=="))))
endef
export LOCK_WRITER

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
	find . -path ./.cache -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf .cache
	rm -f models/*.gguf models/.*.part
