# dagrute: the two commands a new user runs (see README.md).
#   make demo   set up and solve the bundled sample week (result JSON + GeoJSON in out/)
#   make test   set up and run lint, type checks and the tests
#   make bench  every benchmark set, full size (hours; see benchmarks/README.md)
#   make bench-quick  a few small instances with short limits (a few minutes)
PYTHON ?= python3
UV := $(PYTHON) -m uv
OUT ?= out

BENCH_LIMIT ?= 30
BENCH_JOBS ?= 1

.PHONY: setup setup-dev setup-bench demo run bench-api test lint typecheck bergen schema bench bench-quick clean

setup:
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.5"
	$(UV) sync --frozen --no-dev

setup-dev:
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.5"
	$(UV) sync --frozen

setup-bench:
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.5"
	$(UV) sync --frozen --group bench

demo: setup
	$(UV) run --no-sync dagrute solve data/samples/oslo-east-week.json \
		--out $(OUT)/result.json --geojson $(OUT)/routes.geojson

run: setup
	$(UV) run --no-sync dagrute serve --demo

bench-api: setup-dev
	$(UV) run --no-sync python -m benchmarks.api_latency

lint: setup-dev
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .

typecheck: setup-dev
	$(UV) run --no-sync mypy solver app benchmarks

test: lint typecheck
	$(UV) run --no-sync pytest

bergen: setup
	$(UV) run --no-sync dagrute generate --bergen --seed 1 --out $(OUT)/bergen.json
	$(UV) run --no-sync dagrute solve $(OUT)/bergen.json --out $(OUT)/bergen-result.json

bench: setup-bench
	for set in cordeau-a cordeau-b hdarp solomon; do \
		$(UV) run --no-sync python -m benchmarks.run --set $$set --instances all \
			--time-limit $(BENCH_LIMIT) --seed 1 --jobs $(BENCH_JOBS) || exit 1; \
	done
	$(UV) run --no-sync python -m benchmarks.run --set bergen --bergen-seeds 1,2,3 \
		--bergen-time-limit 60
	$(UV) run --no-sync python -m benchmarks.bergen_peers --seed 1 --days mon --time-limit 30

bench-quick: setup-bench
	$(UV) run --no-sync python -m benchmarks.run --set cordeau-a --instances a2-16,a4-24 \
		--time-limit 5 --no-docs --out $(OUT)/bench-quick-cordeau-a.json
	$(UV) run --no-sync python -m benchmarks.run --set hdarp --instances a9-72 \
		--time-limit 5 --no-docs --out $(OUT)/bench-quick-hdarp.json
	$(UV) run --no-sync python -m benchmarks.run --set solomon --instances C101,R101 \
		--time-limit 5 --no-docs --out $(OUT)/bench-quick-solomon.json

schema: setup-dev
	$(UV) run --no-sync python scripts/export_schema.py

clean:
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache
