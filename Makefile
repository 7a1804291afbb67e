# Xunhui (巡回) — the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
BIN     ?= bin/xunhui
ADDR    ?= 127.0.0.1:8080
# Benchmark knobs, e.g. `make bench-vrptw SETS=solomon,homberger_200 TIME=10s`.
SETS    ?= solomon
TIME    ?= 1s
# Instances solved at once (each single-threaded): at most the number of idle cores.
JOBS    ?= 1
# Granular neighbourhood size for bench-vrptw (0 = the engine's default, 20).
NEIGHBOURS ?= 0
SHARED  ?= ../shared

.PHONY: all build run test test-short vet fmt bench bench-vrptw bench-vroom bench-geo bench-circuit bench-circuit-table bench-market bench-itinerary bench-queue bench-board fuzz clean

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

# Job queue overhead (River on SQLite and PostgreSQL): enqueue → start
# latency and runs/s of trivial runs; figures in docs/scheduler.md.
bench-queue:
	$(GO) test ./jobs -run '^$$' -bench Queue -benchtime 200x

# Go micro-benchmarks (evaluators, matrices, planners).
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Public VRPTW benchmarks: solves every instance of $(SETS) with $(TIME) each,
# checks each solution independently and writes docs/benchmarks.md.
bench-vrptw: build
	$(BIN) bench-vrptw --dir $(SHARED)/benchmarks/vrptw --sets $(SETS) --time-limit $(TIME) --jobs $(JOBS) --neighbours $(NEIGHBOURS) --out docs/benchmarks.md

# The Solomon set through both the text path and VROOM's JSON format (identical inputs).
bench-vroom: build
	$(BIN) bench-vrptw --dir $(SHARED)/benchmarks/vrptw --sets solomon --time-limit $(TIME) --jobs $(JOBS) --vroom-json $(SHARED)/benchmarks/vroom-json/solomon --out docs/benchmarks.md

# 1000 x 1000 car matrix on a generated 200 000-node grid road network.
bench-geo:
	$(GO) test ./geo/roadgraph -run '^$$' -bench Matrix1000 -benchtime 1x -cpu 2 -benchmem

# A generated SAMPLE county week (600 requests, 86 teams, 5 days): 10 s plan, re-plan after a
# team drops out; set CIRCUIT_BENCH_SECONDS=120 for the long reference run.
bench-circuit:
	$(GO) test ./optimizer/circuit -run '^$$' -bench . -benchtime 1x -timeout 30m

# 10 s plans (seeds 1-8) against 120 s plans (seeds 1-4) of the SAMPLE county
# week, every plan checked: writes docs/circuit-bench.md (about 10 minutes).
bench-circuit-table:
	$(GO) run ./cmd/xunhui bench-circuit --out docs/circuit-bench.md

# 12 townships, 40 staff, 30 days, 2 000 bookings.
bench-market:
	$(GO) test ./optimizer/market -run '^$$' -bench BenchmarkMarketPlan -benchtime 3x

# Short runs of every fuzz target that needs no database (longer: FUZZTIME=5m).
FUZZTIME ?= 20s
# Requests per store of the differential store test (make test runs 400).
DIFF_N ?= 5000
fuzz:
	$(GO) test ./scheduler/calendar -run '^$$' -fuzz FuzzParseCycle -fuzztime $(FUZZTIME)
	$(GO) test ./scheduler -run '^$$' -fuzz FuzzParseSpec -fuzztime $(FUZZTIME)
	$(GO) test ./geo/roadgraph -run '^$$' -fuzz FuzzRead -fuzztime $(FUZZTIME) -fuzzminimizetime 2s -parallel 1
	$(GO) test ./geo -run '^$$' -fuzz FuzzReadLocationsCSV -fuzztime $(FUZZTIME)
	$(GO) test ./geo/osrm -run '^$$' -fuzz FuzzDecodeTable -fuzztime $(FUZZTIME)
	$(GO) test ./optimizer/vrp/solomon -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)
	$(GO) test ./optimizer/vrp/vroom -run '^$$' -fuzz FuzzSolve -fuzztime $(FUZZTIME)
	$(GO) test ./optimizer/vrp -run '^$$' -fuzz FuzzSolve -fuzztime $(FUZZTIME)
	$(GO) test ./data -run '^$$' -fuzz FuzzValidate -fuzztime $(FUZZTIME)
	$(GO) test ./api -run '^$$' -fuzz FuzzDecodeRequestCreate -fuzztime $(FUZZTIME)
	XUNHUI_DIFF_FUZZ_N=$(DIFF_N) $(GO) test ./api -run '^TestDifferentialStores$$' -count=1 -v | grep -E 'differential corpus|FAIL|ok'


clean:
	rm -rf bin

# Field reads under load: 32 concurrent clients read itineraries (and 7-day weeks) of the
# planned SAMPLE county week for 10 s on each store (PostgreSQL from XUNHUI_TEST_DATABASE_URL).
# Writes docs/itinerary-bench.md (figures, load average, conditions).
bench-itinerary:
	XUNHUI_BENCH_OUT=$(CURDIR)/docs/itinerary-bench.md $(GO) test ./api -run '^$$' -bench BenchmarkItineraryLoad -benchtime 1x -timeout 10m

# First render of the weekly board with the 900-request week in headless Chromium (needs
# `npm ci --prefix web/e2e` and /usr/bin/chromium): prints the five load times and writes
# web/e2e/board-report.json; docs/web.md keeps the figures with the load average.
bench-board:
	uptime
	$(GO) test ./web -run '^TestBoardBrowser$$' -count=1 -v -timeout 10m | grep -E 'first render|^(ok|FAIL|---)'
