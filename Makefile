# ringlake — `make demo`, `make test`. Needs only the Rust toolchain and python3.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c

# Build outside the clone so CI and later sessions reuse it (a cold build is 10+ minutes).
CARGO_TARGET_DIR ?= $(HOME)/.cache/ringlake/target
export CARGO_TARGET_DIR

VENV := .venv
PY := $(VENV)/bin/python
BIN := $(CARGO_TARGET_DIR)/debug/ringlake
DEMO_LAKE ?= demo/lake

.PHONY: demo test test-spark bench system-deps lint build venv clean-demo

build:
	cargo build --locked -p ringlake-cli

# Python tools (DuckDB, pyarrow, pandas, Polars, s3fs, moto) for the interop checks, in a
# local virtualenv.
venv: $(VENV)/.installed
$(VENV)/.installed: requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# A month of a mid-size simulated account through the real pipeline, then DuckDB counts the
# lake against what the simulator held.
demo: build venv
	mkdir -p $(dir $(DEMO_LAKE))
	$(BIN) demo --lake $(DEMO_LAKE) --truth-out $(dir $(DEMO_LAKE))truth.json
	$(PY) tests/interop/check_demo.py $(DEMO_LAKE) $(dir $(DEMO_LAKE))truth.json

test: venv
	RINGLAKE_PYTHON="$(abspath $(PY))" cargo test --locked --workspace

# Java for Spark, from Debian's packages when the machine has none.
system-deps:
	@if ! command -v java >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update && $$SUDO apt-get install -y openjdk-17-jre-headless; \
	fi

$(VENV)/.installed-spark: requirements-spark.txt $(VENV)/.installed
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-spark.txt
	touch $@

# Spark (pyspark, local) reads a lake and runs docs/queries.md's Spark SQL. Slow (a JVM per
# run), so not in `make test`.
test-spark: venv system-deps $(VENV)/.installed-spark
	RINGLAKE_PYTHON="$(abspath $(PY))" cargo test --locked --workspace --test e2e spark -- --ignored

# ringlake against DuckDB and the parse-only floor on the same generated call-log pages,
# 100 k and 1 M records (about 2 GB of JSON in bench/data/, made once); figures printed and
# written to bench/results.json; then criterion benches of the hot functions (page decode,
# transform of a day window, partition split, Parquet encode). BENCH_SIZES="100000" for a
# quick one.
BENCH_SIZES ?= 100000 1000000
bench: venv
	cargo build --release --locked --workspace
	$(PY) bench/run.py "$(CARGO_TARGET_DIR)/release" $(BENCH_SIZES)
	cargo bench --locked --workspace --bench hot

lint:
	cargo fmt --all --check
	cargo clippy --locked --workspace --all-targets -- -D warnings

clean-demo:
	rm -rf demo
