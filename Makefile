# Xunhui (巡回) — the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
BIN     ?= bin/xunhui
ADDR    ?= 127.0.0.1:8080
# Benchmark knobs, e.g. `make bench-vrptw SETS=solomon,homberger_200 TIME=10s`.
SETS    ?= solomon
TIME    ?= 1s
SHARED  ?= ../shared

.PHONY: all build run test test-short vet fmt bench bench-vrptw clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/xunhui

# Builds, migrates and seeds the embedded store (xunhui.db in this folder), then
# serves on $(ADDR). The admin token is printed on first run (or taken from
# XUNHUI_ADMIN_TOKEN).
run: build
	$(BIN) migrate
	$(BIN) seed --if-empty
	$(BIN) serve --addr $(ADDR)

# The whole test suite, including the PostgreSQL store contract tests (skipped
# loudly when no PostgreSQL is reachable, unless XUNHUI_REQUIRE_POSTGRES=1).
test: vet
	@if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && [ -z "$$XUNHUI_TEST_DATABASE_URL" ]; then \
	  echo "!!! PostgreSQL not reachable on 127.0.0.1:5432: the PostgreSQL suites will be SKIPPED (XUNHUI_REQUIRE_POSTGRES=1 makes them fail)"; fi
	$(GO) test -count=1 -timeout 20m ./...

test-short:
	$(GO) test -short -count=1 ./...

vet:
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

# Go micro-benchmarks (evaluators, matrices, planners).
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Public VRPTW benchmarks: solves every instance of $(SETS) with $(TIME) each,
# checks each solution independently and writes docs/benchmarks.md.
bench-vrptw: build
	$(BIN) bench-vrptw --dir $(SHARED)/benchmarks/vrptw --sets $(SETS) --time-limit $(TIME) --out docs/benchmarks.md

clean:
	rm -rf bin
