# Forage: `make demo` runs an example search end to end; `make test` runs the tests; `make bench` the benchmarks.
SWIFT ?= swift
DEBS := libsqlite3-dev libopenblas-dev
RELEASE := .build/release/forage

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

# The whole test suite (unit and end-to-end tests that run the forage binary). The ONNX export tests run ONNX
# Runtime through $(FORAGE_PYTHON) (a Python with onnxruntime and numpy; .ci/run makes a venv and sets it) and are
# reported as skipped without it.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

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
