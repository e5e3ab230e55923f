# Cairn: the two commands are `make run` and `make test`. Each installs what is missing first.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

# Builds go to a target directory outside the clone, reused across clones (a cold build takes minutes).
export CARGO_TARGET_DIR ?= $(HOME)/.cache/cairn/target
# One build for everything: the studio `make run` opens, the package, and what every test runs are the same
# release build, so the speed a user sees is the README's, and a cold `make test` compiles polars once.
BIN := $(CARGO_TARGET_DIR)/release
# The UI is rebuilt only when one of its sources is newer than the build (a rebuilt ui/dist would also
# make cargo re-embed it and relink both binaries).
UI_SOURCES := $(shell find ui/src ui/public -type f 2>/dev/null) ui/index.html ui/vite.config.ts ui/svelte.config.js \
  ui/tsconfig.json ui/package.json ui/package-lock.json
DEMO ?= $(CURDIR)/.demo/readmission
CARGO_BIN := $(HOME)/.cargo/bin

.PHONY: run test setup setup-test ui app build types flow-venv cargo-test mlflow-test ray-test ui-test e2e desktop-test \
  api-test package package-test bench clean-demo fmt lint

## run: install what is missing, build (release; nothing when nothing changed), generate the demo project and open the studio on it
run: setup ui app
	$(BIN)/cairn demo $(DEMO)
	@if [[ -n "$${DISPLAY:-}" || -n "$${WAYLAND_DISPLAY:-}" ]]; then \
	  echo "==> opening the Cairn desktop app on $(DEMO)"; \
	  exec $(BIN)/cairn-desktop $(DEMO); \
	else \
	  echo "==> no display: serving the studio for a browser instead"; \
	  exec $(BIN)/cairn serve $(DEMO) --port $${CAIRN_PORT:-7878}; \
	fi

## test: install what is missing, then run every test (cargo, MLflow client, UI unit, browser e2e, desktop smoke)
test: setup-test fmt ui build cargo-test mlflow-test ray-test ui-test e2e desktop-test api-test package-test
	tests/monitor/run.sh
	@echo "==> all tests passed"

setup:
	scripts/setup-system.sh build
	scripts/setup-node.sh

setup-test:
	scripts/setup-system.sh test
	scripts/setup-node.sh
	scripts/setup-tauri-driver.sh

ui: ui/dist/index.html

ui/dist/index.html: $(UI_SOURCES)
	cd ui && npm run build
	@touch $@

## app: the programs a user runs (the `cairn` CLI, the desktop app), optimized. The whole workspace's binaries,
## not `-p cairn-cli -p cairn-desktop`: that narrower set unifies dependency features differently and would
## compile most of the tree a second time beside `make build`'s.
app:
	cargo build --release --workspace --bins

# Every target of the workspace in release, tests included, so the tests check the build users run.
build:
	cargo build --release --workspace --all-targets

## fmt: the code is as rustfmt (rustfmt.toml) writes it; part of `make test`
fmt:
	cargo fmt --all --check

## lint: fmt, and clippy on the code that ships (libraries and binaries; tests may unwrap) with no warning
lint: fmt
	cargo clippy --release --workspace --lib --bins -- -D warnings

types:
	CAIRN_UPDATE_TYPES=1 cargo test -q -p cairn-types --test typescript

## flow-venv: Python polars (pinned, its own venv) that the flow export tests run exported scripts with
flow-venv:
	crates/cairn-flow/tests/python-venv.sh >/dev/null

cargo-test: flow-venv
	cargo test --release --workspace

## mlflow-test: the real `mlflow` client (pinned, in its own venv) logging into `cairn serve`
mlflow-test:
	CAIRN_BIN=$(BIN)/cairn tests/mlflow/run.sh

## ray-test: a real Ray head (pinned, its own venv) on loopback with token auth; jobs submitted, followed, stopped
ray-test:
	CAIRN_BIN=$(BIN)/cairn tests/ray/run.sh

ui-test:
	cd ui && npm run check && npm test

e2e:
	cd ui && CAIRN_BIN=$(BIN)/cairn CAIRN_DATA=$(CURDIR)/../shared/data npx playwright test

desktop-test:
	CAIRN_BIN=$(BIN)/cairn CAIRN_DESKTOP_BIN=$(BIN)/cairn-desktop \
	  xvfb-run -a -s "-screen 0 1360x860x24" node tests/desktop/smoke.mjs

## api-test: schemathesis (pinned, its own venv) fuzzing `cairn serve`'s OpenAPI description on a throwaway demo project
api-test:
	CAIRN_BIN=$(BIN)/cairn tests/api/run.sh

## package: the desktop app as a Debian package (Tauri's bundler, offline), in $(CARGO_TARGET_DIR)/release/bundle/deb
package: setup ui app
	scripts/package.sh

## package-test: builds the package, installs it into a scratch root and opens the installed app under Xvfb
package-test: package
	tests/desktop/package.sh

## bench: release build, then every benchmark beside its peer (pandas, LightGBM, MLflow), printing ratios
bench: setup ui
	scripts/bench.sh --build

clean-demo:
	rm -rf $(DEMO)
