# sitmap: `make run` sets up and serves the app; `make test` sets up and runs every test.
# Both are idempotent: a re-run with nothing changed only checks stamps.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
PYTEST_ARGS ?=

.PHONY: run test setup setup-test assets chromium briefing-tools postgres lint format bench clean

run: setup assets briefing-tools
	$(BIN)/streamlit run app.py --server.port $(PORT)

test: setup-test assets chromium briefing-tools postgres
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest $(PYTEST_ARGS)

setup: $(VENV)/.stamp-run
setup-test: $(VENV)/.stamp-test

$(VENV)/.stamp-run: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e .
	touch $@

$(VENV)/.stamp-test: pyproject.toml $(VENV)/.stamp-run
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

# Leaflet and its plugins: pinned in package.json/package-lock.json, installed from the npm registry.
# devDependencies: oidc-provider, the real OpenID Connect provider the sign-in browser tests start.
assets: static/vendor/.stamp

static/vendor/.stamp: package.json package-lock.json scripts/vendor_assets.py
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	$(BIN)/python scripts/vendor_assets.py
	touch $@

# Debian's Chromium for the browser tests (a test tool cannot download its own browser here).
chromium:
	@command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

# Briefings (PDF/PNG): WeasyPrint's Pango and HarfBuzz (shaping Arabic and Hebrew), Noto fonts
# for Latin, Arabic and Hebrew, and poppler-utils (pdftoppm for PNG, pdftotext for the tests).
BRIEFING_DEBS := poppler-utils fonts-noto-core fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
briefing-tools:
	@dpkg -s $(BRIEFING_DEBS) >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(BRIEFING_DEBS); }

# Debian's PostgreSQL and PostGIS for the store tests, which start a throwaway cluster of their
# own (tests/store/pgserver.py); no server is left running or configured.
PG_PACKAGES ?= postgresql postgresql-15-postgis-3
postgres:
	@{ ls /usr/lib/postgresql/*/bin/initdb && ls /usr/share/postgresql/*/extension/postgis.control; } >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(PG_PACKAGES); }

lint:
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

format:
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules static/vendor
