# The wall's one entry point for people and CI. `make run` starts it, `make test` checks
# everything (format, lint, types, all tests); both install what they need first.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# ESLint and its config, pinned by package-lock.json (npm ci); checks assets/ (make lint).
NPM_STAMP := node_modules/.installed
ARGS ?=

.PHONY: run test check lint types pytest unit fuzz audit bench soak install system-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(NPM_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { \
	  echo "installing: nodejs npm"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

install: $(STAMP) $(NPM_STAMP)

# What the browser and Redis tests need from Debian: Chromium (Playwright drives it; browsers
# cannot be downloaded here), redis-server, and for the video bridge a third-party WHIP client
# (simple-whip-client, GStreamer; gcc builds the libsoup workaround its test needs, see
# tests/browser/test_video_whip_client.py), and nginx for the reverse-proxy test
# (tests/integration/test_nginx_proxy.py), and coturn for the TURN test
# (tests/integration/test_video_turn.py runs its own turnserver; the package's service is
# stopped and disabled, the centre's TURN server is configured by hand: README), and ffmpeg
# (ffprobe reads the recorded calls: tests/integration/test_video_recording.py). Installed
# only when missing.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v whip-client >/dev/null || missing="$$missing simple-whip-client gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-nice"; \
	command -v gcc >/dev/null || missing="$$missing gcc"; \
	command -v nginx >/dev/null || missing="$$missing nginx"; \
	command -v turnserver >/dev/null || missing="$$missing coturn"; \
	command -v ffprobe >/dev/null || missing="$$missing ffmpeg"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing; \
	  case "$$missing" in *coturn*) \
	    $$SUDO systemctl disable --now coturn >/dev/null 2>&1 || \
	    $$SUDO service coturn stop >/dev/null 2>&1 || true;; \
	  esac; \
	fi
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { \
	  echo "starting redis-server on 127.0.0.1:6379"; \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; \
	  for i in $$(seq 50); do redis-cli ping >/dev/null 2>&1 && break; sleep 0.1; done; }

run: $(STAMP)
	$(BIN)/python run_wall.py $(ARGS)

lint: $(STAMP) $(NPM_STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	@# Every browser module parses (ES module syntax: package.json says "type": "module").
	find assets -name '*.js' -print0 | xargs -0 -n1 node --check
	npx --no-install eslint .

types: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) system-deps
	$(BIN)/python -m pytest $(ARGS)

# The unit tests alone, on the venv only: no Chromium, Redis or GStreamer (the Redis
# variants of a unit test are marked `redis` and left to `make pytest`). Under a minute.
# The test Redis URL points nowhere and CI=true turns its skip into a failure, so a unit
# test that reaches for Redis without the mark fails here.
unit: $(STAMP)
	CI=true CC_TEST_REDIS_URL=redis://127.0.0.1:1/0 \
	  $(BIN)/python -m pytest tests/unit -m "not redis and not browser" $(ARGS)

# The whole check, as CI runs it.
test: lint types pytest
check: test

# The wall as the room sees it: every preset on every screen in Chromium, the text audit
# (clipped, too small, across a bezel, overlapping) and stitched pictures in test-artifacts/.
audit: $(STAMP) system-deps
	$(BIN)/python tests/wallaudit.py -v $(ARGS)

# The fuzzing and conformance suites in their long mode: FUZZ_EXAMPLES generated inputs per
# operation, role and property (500 here; `make test` runs the same tests with a few).
FUZZ_EXAMPLES ?= 500
fuzz: $(STAMP) system-deps
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/fuzz tests/conformance $(ARGS)

bench: $(STAMP) system-deps
	$(BIN)/python -m benchmarks $(ARGS)

# The wall for MINUTES (default 30; `ARGS=--short`: 1.5, as CI runs it): 8 Chromium screens,
# the simulator at 60x, a switch every 10 s, a bridge point on a call; heap, DOM nodes,
# server RSS and open files over time (benchmarks/soak.py).
MINUTES ?=
soak: $(STAMP) system-deps
	$(BIN)/python -m benchmarks soak $(if $(MINUTES),--minutes $(MINUTES)) $(ARGS)
