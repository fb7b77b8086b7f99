# The two commands of the README:
#   make run    Ersal on http://127.0.0.1:3000 (dev mode, SQLite under data/), rebuilt on change
#   make test   every check CI runs: fmt, clippy (server and wasm), dependency licences and
#               sources, cargo test (SQLite and PostgreSQL), Playwright (one instance, then two
#               behind nginx with faults), the packaged release started from a temp folder
# Both install what they need first (scripts/setup.sh).

SHELL := /bin/bash
LEPTOS := scripts/with-leptos-env.sh cargo leptos

.PHONY: run test setup setup-test fmt-check checks clippy deps unit unit-postgres e2e e2e-instances build-release dist dist-test bench screens lighthouse fresh-deps fresh-test

run: setup
	ERSAL_MODE=dev $(LEPTOS) watch --bin-features sandbox

test: setup-test fmt-check checks clippy deps unit unit-postgres e2e e2e-instances dist-test

# CI builds once from clean: incremental caches would only add gigabytes to target/.
test: export CARGO_INCREMENTAL = 0

setup:
	scripts/setup.sh

setup-test:
	scripts/setup.sh test

fmt-check:
	cargo fmt --all -- --check

# What the compiler cannot see: the server's layers and every crate's import cycles
# (docs/architecture.md), the docs' paths, links and the README's length, and the operator
# API's OpenAPI document, by an independent validator (docs/api.md).
checks:
	python3 scripts/check-layers.py
	scripts/check-docs.sh
	scripts/check-openapi.sh

clippy:
	cargo clippy --workspace --all-targets --features ersal/sandbox -- -D warnings
	cargo clippy -p ersal --lib --target wasm32-unknown-unknown --features hydrate -- -D warnings

# Licences, banned crates and sources (deny.toml). cargo-deny reads every crate of Cargo.lock,
# those of other platforms too, which a build on Linux never downloads: fetch them all first.
deps:
	cargo fetch --locked
	cargo deny --offline check licenses bans sources

# One test at a time: each API test renders pages on a Tokio runtime of its own, and Leptos's
# reactive state is shared by the process, so two runtimes side by side now and then leave a
# page waiting forever (30 s, then 503). The server runs one runtime; hammering its pages with
# wrk (20 connections) shows no such wait (docs/testing.md, "One test at a time").
unit:
	RUST_TEST_THREADS=1 cargo test --workspace --features ersal/sandbox

# The integration suite again, on PostgreSQL: a throwaway cluster in a private temporary folder
# (scripts/postgres.sh installs Debian's postgresql if missing), stopped however the run ends.
unit-postgres:
	url=$$(scripts/postgres.sh start) && trap 'scripts/postgres.sh stop' EXIT && \
	  ERSAL_TEST_POSTGRES=$$url RUST_TEST_THREADS=1 cargo test --features ersal/sandbox --test api

build-release:
	$(LEPTOS) build --release --precompress

# The release folder and tarball to deploy (deploy/README.md): target/dist/.
dist: build-release
	scripts/dist.sh

# The tarball, started from a temporary folder in production mode: ready, a page, its hashed
# assets from the packaged site, a clean stop on SIGTERM.
dist-test: build-release
	scripts/dist-test.sh

# The journeys run the production build against the sandbox started as its own binary.
e2e: build-release
	cargo build --release -p divar-sandbox
	cd end2end && npx playwright test

# Two release instances on one PostgreSQL behind nginx (scripts/instances.sh): the journey and
# the faults (kill -9, a PostgreSQL outage), stopped however the run ends.
e2e-instances: build-release
	cargo build --release -p divar-sandbox
	trap 'scripts/instances.sh stop' EXIT && scripts/instances.sh start && \
	  (cd end2end && npx playwright test -c instances.config.ts)

# Not part of `make test`: the throughput and latency of POST /divar/init against a bare axum
# handler, in process and under wrk (BENCH_WRK_SECS, 5 by default; empty skips wrk), with the
# packaged release's log settings, and p50/p99 per step of concurrent no-JS journeys; on
# SQLite, then on a throwaway PostgreSQL cluster.
BENCH_WRK_SECS ?= 5
export BENCH_WRK_SECS
bench:
	cargo run --release -p ersal-server --example bench_init
	cargo run --release --features sandbox --example bench_journey
	url=$$(scripts/postgres.sh start) && trap 'scripts/postgres.sh stop' EXIT && \
	  BENCH_DATABASE_URL=$$url cargo run --release -p ersal-server --example bench_init && \
	  BENCH_DATABASE_URL=$$url cargo run --release --features sandbox --example bench_journey

# Not part of `make test`. Pictures of every screen at 360 px, light and dark, in
# target/screens/, with the touch targets under 44 px listed (end2end/look/).
screens: build-release
	cargo build --release -p divar-sandbox
	cd end2end && npx playwright test --config look.config.ts

# Not part of `make test`; run on a quiet machine. Lighthouse's mobile preset on every page of a
# buyer's journey (end2end/lighthouse/run.mjs; RUNS=3 for medians).
lighthouse: build-release
	cargo build --release -p divar-sandbox
	npm ci --prefix end2end/lighthouse --no-audit --no-fund
	node end2end/lighthouse/run.mjs

# Not part of `make test`; run before submitting a change to set-up. The newcomer's path in a
# clone of HEAD under a mode-700 home folder, with an empty CARGO_HOME (scripts/fresh.sh):
# fresh-deps runs `make deps` alone (minutes), fresh-test the whole `make test`, tools included.
fresh-deps:
	scripts/fresh.sh deps

fresh-test:
	scripts/fresh.sh test
