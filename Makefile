# mamori — the two commands that matter are `make run` and `make test`.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
DATA ?= data
LISTEN ?= 127.0.0.1:8080

.PHONY: deps build web debug run test bench format clean

deps:
	@bash scripts/install-deps.sh

build: deps web
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS) --target mamori

# The single-page app (web/dist), when the web/ folder exists.
web: deps
	@if [ -f web/package.json ]; then (cd web && npm run --silent build); fi

debug: deps
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug -j $(JOBS)

# First run: initialise ./data with the demo organisation; then serve.
run: build
	@if [ ! -f "$(DATA)/mamori.yaml" ]; then \
	  ./build/release/mamori init --data "$(DATA)" --demo; \
	fi
	@echo "mamori: http://$(LISTEN)/ — ログイン / log in as 'admin' with the password printed at init (or \$$MAMORI_ADMIN_PASSWORD)"
	@./build/release/mamori serve --data "$(DATA)" --listen "$(LISTEN)"

# Every test, sanitizers on: unit, store contract (SQLite + a real PostgreSQL the tests
# start), and integration tests against the real binary.
test: debug web
	@cd build/debug && ctest --output-on-failure -j $(JOBS) --timeout 600

bench: build
	@cmake --build --preset release --target store_benchmark auth_benchmark -j $(JOBS)
	@./build/release/bench/store_benchmark
	@./build/release/bench/auth_benchmark
	@bash bench/wrk/run.sh
	@bash bench/wrk/people.sh

format:
	@git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	@rm -rf build
