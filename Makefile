# Cairn: the two commands are `make run` and `make test`. Each installs what is missing first.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

# Builds go to a target directory outside the clone, reused across clones (a cold build takes minutes).
export CARGO_TARGET_DIR ?= $(HOME)/.cache/cairn/target
BIN := $(CARGO_TARGET_DIR)/debug
DEMO ?= $(CURDIR)/.demo/readmission
CARGO_BIN := $(HOME)/.cargo/bin

.PHONY: run test setup setup-test ui build types flow-venv cargo-test mlflow-test ray-test ui-test e2e desktop-test bench clean-demo

## run: install what is missing, build, generate the demo project and open the studio on it
run: setup ui build
	$(BIN)/cairn demo $(DEMO)
	@if [[ -n "$${DISPLAY:-}" || -n "$${WAYLAND_DISPLAY:-}" ]]; then \
	  echo "==> opening the Cairn desktop app on $(DEMO)"; \
	  exec $(BIN)/cairn-desktop $(DEMO); \
	else \
	  echo "==> no display: serving the studio for a browser instead"; \
	  exec $(BIN)/cairn serve $(DEMO) --port $${CAIRN_PORT:-7878}; \
	fi

## test: install what is missing, then run every test (cargo, MLflow client, UI unit, browser e2e, desktop smoke)
test: setup-test ui build cargo-test mlflow-test ray-test ui-test e2e desktop-test
	@echo "==> all tests passed"

setup:
	scripts/setup-system.sh build
	scripts/setup-node.sh

setup-test:
	scripts/setup-system.sh test
	scripts/setup-node.sh
	scripts/setup-tauri-driver.sh

ui:
	cd ui && npm run build

# One invocation for every target, so `make run` and `make test` share one feature set and one build.
build:
	cargo build --workspace --all-targets

types:
	CAIRN_UPDATE_TYPES=1 cargo test -q -p cairn-types --test typescript

## flow-venv: Python polars (pinned, its own venv) that the flow export tests run exported scripts with
flow-venv:
	crates/cairn-flow/tests/python-venv.sh >/dev/null

cargo-test: flow-venv
	cargo test --workspace

## mlflow-test: the real `mlflow` client (pinned, in its own venv) logging into `cairn serve`
mlflow-test:
	CAIRN_BIN=$(BIN)/cairn tests/mlflow/run.sh

## ray-test: a real Ray head (pinned, its own venv) on loopback with token auth; jobs submitted, followed, stopped
ray-test:
	tests/ray/run.sh

ui-test:
	cd ui && npm run check && npm test

e2e:
	cd ui && CAIRN_BIN=$(BIN)/cairn CAIRN_DATA=$(CURDIR)/../shared/data npx playwright test

desktop-test:
	CAIRN_BIN=$(BIN)/cairn CAIRN_DESKTOP_BIN=$(BIN)/cairn-desktop \
	  xvfb-run -a -s "-screen 0 1360x860x24" node tests/desktop/smoke.mjs

## bench: release build, then every benchmark beside its peer (pandas, LightGBM, MLflow), printing ratios
bench: setup ui
	scripts/bench.sh --build

clean-demo:
	rm -rf $(DEMO)
