# dumb-init-rs: build, test and measure. `make help` lists the targets.

MUSL_TARGET := x86_64-unknown-linux-musl
RELEASE_BIN := $(CURDIR)/target/release/dumb-init
STATIC_BIN  := $(CURDIR)/target/$(MUSL_TARGET)/release/dumb-init

.PHONY: help build static deps lint test unit-test integration-test compat demo bench bench-size deb package-test
.PHONY: demo-container

help:
	@echo "make build    release binary at target/release/dumb-init"
	@echo "make static   static musl binary at target/$(MUSL_TARGET)/release/dumb-init"
	@echo "make demo     run dumb-init on examples/background-job.sh and stop it with SIGTERM"
	@echo "make demo-container  the same entrypoint as a podman image, podman stop with no init and with ours (root)"
	@echo "make test     every test: unit, integration (release and static), compat suite"
	@echo "make compat   the differential suite against the reference dumb-init"
	@echo "make bench    ours beside the reference dumb-init and tini"
	@echo "make bench-size  only the sizes, and ours' bytes per crate"
	@echo "make deb      a .deb under target/debian/"
	@echo "make package-test  the .deb in a Debian root, the static binary and examples as PID 1"

build:
	cargo build --release

static:
	rustup target add $(MUSL_TARGET)
	cargo build --release --target $(MUSL_TARGET)

deps:
	sh tools/install-test-deps.sh

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings

demo: build
	sh examples/signal-demo.sh $(RELEASE_BIN)

# Needs root, podman, tini and busybox-static (make deps installs them).
demo-container: static
	bash examples/container-demo.sh $(STATIC_BIN)

unit-test:
	cargo test --lib

# The integration tests run against the binary in DUMB_INIT_UNDER_TEST: first
# the glibc release build, then the static one that packages ship.
integration-test: build static
	DUMB_INIT_UNDER_TEST=$(RELEASE_BIN) cargo test --release --test '*'
	DUMB_INIT_UNDER_TEST=$(STATIC_BIN) cargo test --release --test '*'

compat: deps build static
	python3 compat-tests/run.py

test: deps lint unit-test integration-test
	$(MAKE) compat
	DUMB_INIT_UNDER_TEST=$(STATIC_BIN) $(MAKE) compat
	$(MAKE) package-test

# dpkg-deb with the hand-kept files in packaging/debian/ (see build-deb.sh).
deb: static
	sh packaging/build-deb.sh $(STATIC_BIN)

package-test: deps deb
	bash packaging/tests/run.sh

# Ours (the static build) beside the reference dumb-init and tini: one table of
# medians and ratios, then ours' bytes per crate (cargo bloat, installed when
# missing). Compiles its C helpers, and the reference by its own static recipe
# from Debian's source (adding a deb-src entry when apt has none), into
# target/bench; about 2 minutes. Another build of ours is one more
# `--ours "LABEL=PATH"` (and `--crates "LABEL=CARGO_BLOAT_ARGS"`).
BENCH_BUILDS := --ours "ours (static)=$(STATIC_BIN)" \
	--crates "ours (static)=--release --target $(MUSL_TARGET)"
BENCH_DEPS := valgrind:valgrind taskset:util-linux strip:binutils xz:xz-utils

bench: static
	sh tools/install-test-deps.sh $(BENCH_DEPS)
	python3 bench/bench.py $(BENCH_BUILDS) --helpers $(CURDIR)/target/bench

bench-size: static
	sh tools/install-test-deps.sh $(BENCH_DEPS)
	python3 bench/bench.py $(BENCH_BUILDS) --helpers $(CURDIR)/target/bench --sizes-only
