# Forage: `make demo` runs an example search end to end; `make test` runs the tests; `make bench` the benchmarks.
SWIFT ?= swift
DEBS := libsqlite3-dev libopenblas-dev
RELEASE := .build/release/forage
# The Python the package's tests (and the Optuna interop tests) run with: $(FORAGE_PYTHON), else the venv `.ci/run`
# makes, else python3.
PYTHON ?= $(or $(FORAGE_PYTHON),$(if $(wildcard .ci/venv/bin/python),$(CURDIR)/.ci/venv/bin/python,python3))

.PHONY: deps build release test demo bench clean

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

# The whole test suite: the Python package's tests (pytest), then the Swift unit and end-to-end tests. The ONNX
# export and Optuna interop tests run Python through $(FORAGE_PYTHON) (.ci/run makes a venv with onnxruntime, numpy,
# optuna and pytest, and sets it) and are reported as skipped without what they need.
test: deps
	@$(PYTHON) -c "import pytest" 2>/dev/null || { echo "error: make test needs pytest for $(PYTHON): python3 -m venv .ci/venv && .ci/venv/bin/pip install pytest optuna" >&2; exit 1; }
	$(PYTHON) -m pytest -q python/tests
	$(SWIFT) build --build-tests
	FORAGE_TEST_PYTHON=$(if $(findstring /,$(PYTHON)),$(abspath $(PYTHON)),$(PYTHON)) $(SWIFT) test --skip-build

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
