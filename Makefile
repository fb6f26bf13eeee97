# Waybill: the two commands a new user needs are `make demo` and `make test`.
SHELL := /bin/bash
VENV ?= $(HOME)/.cache/waybill-venv
SWIFT ?= swift
DEMO_OUT ?= out/demo

.PHONY: deps build release test test-swift test-interop test-spark test-fuzz demo bench clean

deps:
	@WAYBILL_VENV=$(VENV) .ci/install-deps.sh >/dev/null

build: deps
	$(SWIFT) build

## release: the optimised binary, with the Swift runtime and Foundation linked in (--static-swift-stdlib):
## it runs on a machine without the Swift toolchain (only the Debian C libraries it links), and
## it starts about 6 ms sooner (no symbol lookups in the Swift libraries; docs/performance-log.md).
release: deps
	$(SWIFT) build -c release --static-swift-stdlib --product waybill
	@bin=$$($(SWIFT) build -c release --show-bin-path)/waybill; $$bin --version >/dev/null && \
	  ! ldd $$bin | grep -q libswiftCore || { echo "release: $$bin is not a working static-runtime binary" >&2; exit 1; }

## test: every unit test, then the interop suite (pyarrow, DuckDB, polars, jsonschema read Waybill's output),
## the Spark driver, the fuzzers, and last the release build (it must link on a fresh machine too).
test: deps
	$(SWIFT) build --build-tests
	WAYBILL_VENV=$(VENV) $(SWIFT) test --skip-build --parallel
	$(MAKE) test-interop
	$(MAKE) test-spark
	$(MAKE) test-fuzz
	$(MAKE) release

## test-fuzz: a short libFuzzer run of every hostile-input entry point (docs/fuzzing.md; WAYBILL_FUZZ_SECONDS each, default 30).
test-fuzz: deps
	SWIFT=$(SWIFT) Tests/fuzz/run.sh

## test-spark: the Spark driver in local mode against one process (Tests/spark/run.sh; skips only if pip cannot install pyspark).
test-spark: deps
	$(SWIFT) build
	WAYBILL_BIN=$$($(SWIFT) build --show-bin-path)/waybill SWIFT=$(SWIFT) Tests/spark/run.sh

test-interop: deps
	$(SWIFT) build
	WAYBILL_BIN_DIR=$$($(SWIFT) build --show-bin-path) $(VENV)/bin/python -m pytest -q Tests/interop

## demo: collect the committed sample feeds and land them as partitioned Parquet datasets.
demo: release
	@bin=$$($(SWIFT) build -c release --show-bin-path); \
	rm -rf $(DEMO_OUT); mkdir -p $(DEMO_OUT); set -e; \
	for pair in tpch-flat-csv:feeds/tpch-flat.csv tpch-nested-ndjson:archives/tpch-nested.ndjson.zst \
	            shop-csv:feeds/shop-bad.csv jd-waybill-ndjson:archives/jd-waybill.ndjson.gz; do \
	  profile=$${pair%%:*}; feed=SampleData/$${pair#*:}; \
	  echo "== $$feed ($$profile)"; \
	  $$bin/waybill collect $$feed --profile Pipelines/profiles/$$profile.yaml --rejects $(DEMO_OUT)/$$profile.rejects.ndjson \
	    | $$bin/waybill write --out $(DEMO_OUT)/$$profile --partition-by business_line,order_month --batch-id demo; \
	done; \
	echo "== datasets landed under $(DEMO_OUT):"; \
	$$bin/waybill inspect $(DEMO_OUT)/shop-csv/orders | head -40

bench: release
	$(VENV)/bin/python Benchmarks/bench.py --bin $$($(SWIFT) build -c release --show-bin-path)

clean:
	rm -rf .build out
