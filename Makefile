# Forage: `make demo` runs an example search end to end; `make test` runs the tests; `make bench` the benchmarks.
SWIFT ?= swift
DEBS := libsqlite3-dev libopenblas-dev python3-venv
RELEASE := .build/release/forage
# The tests' Python: a venv with pytest (the Python package's tests), optuna (the interop tests) and onnxruntime with
# numpy and onnx (the ONNX export tests: predictions, and the ONNX checker), made on the first `make test`; the
# package itself is reinstalled on each.
VENV := .build/venv
PYTHON := $(VENV)/bin/python
TEST_PYTHON_PACKAGES := pytest optuna onnxruntime numpy onnx

.PHONY: deps build release venv test demo bench clean

# Installs the Debian packages Forage builds against, when they are missing.
deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update && $$SUDO apt-get install -y $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

$(VENV)/installed:
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet $(TEST_PYTHON_PACKAGES)
	touch $@

# The tests' venv, with the `forage` Python package from this checkout.
venv: deps $(VENV)/installed
	$(PYTHON) -m pip install --quiet ./python

# The whole test suite: the Python package's tests (pytest), then the Swift unit and end-to-end tests (some run
# Python trials, Optuna and ONNX Runtime through the venv).
test: venv
	$(PYTHON) -m pytest -q python/tests
	$(SWIFT) build --build-tests
	FORAGE_TEST_PYTHON=$(abspath $(PYTHON)) $(SWIFT) test --skip-build

# A real AutoML search end to end (TPE over MLPs on the digits data; the search takes about 15 s on 2 cores after
# the release build), in a scratch store.
demo: release
	rm -rf .forage-demo
	$(RELEASE) run Experiments/digits-mlp.yaml --store .forage-demo
	$(RELEASE) leaderboard digits-mlp --top 10 --store .forage-demo

bench: release
	$(RELEASE) bench overhead

clean:
	rm -rf .build .forage .forage-demo
