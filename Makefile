# dagrute: the two commands a new user runs (see README.md).
#   make demo   set up and solve the bundled sample week (result JSON + GeoJSON in out/)
#   make test   set up and run lint, type checks and the tests
PYTHON ?= python3
UV := $(PYTHON) -m uv
OUT ?= out

.PHONY: setup setup-dev demo test lint typecheck bergen schema clean

setup:
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.5"
	$(UV) sync --frozen --no-dev

setup-dev:
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.5"
	$(UV) sync --frozen

demo: setup
	$(UV) run --no-sync dagrute solve data/samples/oslo-east-week.json \
		--out $(OUT)/result.json --geojson $(OUT)/routes.geojson

lint: setup-dev
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .

typecheck: setup-dev
	$(UV) run --no-sync mypy solver

test: lint typecheck
	$(UV) run --no-sync pytest

bergen: setup
	$(UV) run --no-sync dagrute generate --bergen --seed 1 --out $(OUT)/bergen.json
	$(UV) run --no-sync dagrute solve $(OUT)/bergen.json --out $(OUT)/bergen-result.json

schema: setup-dev
	$(UV) run --no-sync python scripts/export_schema.py

clean:
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache
