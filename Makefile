# dumb-init-rs: build, test and measure. `make help` lists the targets.

MUSL_TARGET := x86_64-unknown-linux-musl
RELEASE_BIN := $(CURDIR)/target/release/dumb-init
STATIC_BIN  := $(CURDIR)/target/$(MUSL_TARGET)/release/dumb-init
AARCH64_TARGET := aarch64-unknown-linux-musl
STATIC_BIN_AARCH64 := $(CURDIR)/target/$(AARCH64_TARGET)/release/dumb-init

# The small build (make static-small): the same source, built with
# -Z build-std and the immediate-abort panic strategy, on a pinned stable
# toolchain with RUSTC_BOOTSTRAP=1 (docs/performance.md says why), in a
# target directory of its own. A panic aborts on the spot and nothing
# unwinds, so no unwind tables are kept (15 KiB of the x86_64 file), and
# std picks its smaller algorithms (optimize_for_size).
SMALL_TOOLCHAIN := 1.95.0
SMALL_DIR := $(CURDIR)/target/small
SMALL_BIN := $(SMALL_DIR)/$(MUSL_TARGET)/release/dumb-init
SMALL_BIN_AARCH64 := $(SMALL_DIR)/$(AARCH64_TARGET)/release/dumb-init
SMALL_CARGO = RUSTC_BOOTSTRAP=1 cargo +$(SMALL_TOOLCHAIN)
small_flags = -Z build-std=std,panic_abort -Z build-std-features=optimize_for_size \
	--config 'target.$(1).rustflags = ["-Zunstable-options", "-Cpanic=immediate-abort", "-Cforce-unwind-tables=no"]'
small_build = $(call small_flags,$(1)) --target-dir $(SMALL_DIR) \
	--config 'target.$(1).rustflags = [$(SMALL_REMAP)]'

# What make deb and make dist ship: the make targets that build it and the
# two files. Shipping another build means changing these three lines.
SHIPPED_BUILDS := static-small static-small-aarch64
SHIPPED_BIN_X86_64 := $(SMALL_BIN)
SHIPPED_BIN_AARCH64 := $(SMALL_BIN_AARCH64)

# Release files must not depend on where the tree, cargo's registry or the
# toolchain live: their paths are mapped to fixed names. Appended to the
# target's rustflags in .cargo/config.toml (cargo joins the arrays).
CARGO_HOME_DIR := $(or $(CARGO_HOME),$(HOME)/.cargo)
REMAP = "--remap-path-prefix=$(CURDIR)=/dumb-init-rs", "--remap-path-prefix=$(CARGO_HOME_DIR)=/cargo", "--remap-path-prefix=$(shell rustc --print sysroot)=/rust"
remapped = --config 'target.$(1).rustflags = [$(REMAP)]'
# The small build's std is compiled from its own toolchain's rust-src, so that
# toolchain's sysroot is mapped too. Only its recipes ask for it, after
# small-toolchain has installed the toolchain: the stable builds never call
# a toolchain that may not be there.
SMALL_REMAP = "--remap-path-prefix=$(shell rustc +$(SMALL_TOOLCHAIN) --print sysroot)=/rust"

.PHONY: help check build static deps lint test unit-test integration-test compat demo bench bench-size deb package-test
.PHONY: demo-container static-aarch64 integration-test-aarch64 compat-aarch64 dist cargo-package-test
.PHONY: small-toolchain static-small static-small-aarch64 small-test size-check
.PHONY: wheel wheel-test

# One line a target, grouped by when it is used.
help:
	@echo "Daily:"
	@echo "  make check          fmt, clippy, unit tests and integration tests against the debug build"
	@echo "                      (under a minute warm; without root, what needs root is skipped and said)"
	@echo "  make build          release binary at target/release/dumb-init"
	@echo "  make demo           run dumb-init on examples/background-job-entrypoint.sh, stop it with SIGTERM"
	@echo "  make lint           cargo fmt --check and clippy -D warnings"
	@echo "  make unit-test      the unit tests (cargo test --lib)"
	@echo "Full test (what CI runs; root installs what is missing):"
	@echo "  make test           everything below, from lint to the wheels"
	@echo "  make deps           install the test dependencies (apt, pip, rustup targets)"
	@echo "  make integration-test      integration tests against the release and static builds"
	@echo "  make integration-test-aarch64  the same against the arm64 build under qemu-user"
	@echo "  make compat         the differential suite against the reference dumb-init"
	@echo "  make compat-aarch64 the same against the arm64 build under qemu-user"
	@echo "  make small-test     integration and compat suites against the small builds"
	@echo "  make size-check     the size budgets of the static and small builds"
	@echo "  make package-test   the .debs in Debian roots, the static binary and the examples as PID 1,"
	@echo "                      the examples as podman images, reproducibility"
	@echo "  make wheel-test     the wheels installed by pip and run"
	@echo "  make cargo-package-test  the crate packed and built as crates.io gets it"
	@echo "  make demo-container podman stop on a shell entrypoint, with no init and with ours (root)"
	@echo "Release:"
	@echo "  make static         static musl binary at target/$(MUSL_TARGET)/release/dumb-init"
	@echo "  make static-aarch64 the same for arm64, at target/$(AARCH64_TARGET)/release/dumb-init"
	@echo "  make small-toolchain  the pinned $(SMALL_TOOLCHAIN) toolchain with rust-src for the small builds"
	@echo "  make static-small   the same code built small (build-std, $(SMALL_TOOLCHAIN)): what releases ship"
	@echo "  make static-small-aarch64  the same for arm64"
	@echo "  make deb            the amd64 and arm64 .debs under target/debian/"
	@echo "  make wheel          the wheels (pip install dumb-init-rs) under target/wheels/"
	@echo "  make dist           release files and SHA256SUMS in target/dist/, reproducible"
	@echo "Bench:"
	@echo "  make bench          ours beside the reference dumb-init and tini, as ratios"
	@echo "  make bench-size     only the sizes, and our bytes per crate"

# The quick daily loop: no apt, rustup or extra builds. The integration
# tests run against the debug build (cargo's own), and say which groups they
# skip where root is needed.
check:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	cargo test

build:
	cargo build --release

static:
	rustup target add $(MUSL_TARGET)
	cargo build --release --target $(MUSL_TARGET) $(call remapped,$(MUSL_TARGET))

# Linked by rust-lld (.cargo/config.toml): no cross C toolchain is needed.
static-aarch64:
	rustup target add $(AARCH64_TARGET)
	cargo build --release --target $(AARCH64_TARGET) $(call remapped,$(AARCH64_TARGET))

# The small build's toolchain, with rust-src for build-std and both targets.
small-toolchain:
	rustup toolchain install $(SMALL_TOOLCHAIN) --profile minimal --component rust-src \
		--target $(MUSL_TARGET) --target $(AARCH64_TARGET)

static-small: small-toolchain
	$(SMALL_CARGO) build --release --target $(MUSL_TARGET) \
		$(call small_build,$(MUSL_TARGET)) $(call remapped,$(MUSL_TARGET))

static-small-aarch64: small-toolchain
	$(SMALL_CARGO) build --release --target $(AARCH64_TARGET) \
		$(call small_build,$(AARCH64_TARGET)) $(call remapped,$(AARCH64_TARGET))

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

# The aarch64 binary under qemu-user (binfmt_misc): what qemu cannot
# reproduce is skipped by name, with the reason, from tests/qemu-aarch64.skip.
integration-test-aarch64: deps static-aarch64
	sh tools/binfmt-qemu-aarch64.sh bash tests/qemu-aarch64.sh integration $(STATIC_BIN_AARCH64)

compat-aarch64: deps static-aarch64
	sh tools/binfmt-qemu-aarch64.sh bash tests/qemu-aarch64.sh compat $(STATIC_BIN_AARCH64)

# The crate as crates.io would get it: packs and builds from the .crate.
cargo-package-test:
	cargo package --allow-dirty

# The small builds, which releases ship: the integration tests and the compat
# suite against each (the aarch64 one under qemu, as above).
small-test: deps static-small static-small-aarch64
	DUMB_INIT_UNDER_TEST=$(SMALL_BIN) cargo test --release --test '*'
	DUMB_INIT_UNDER_TEST=$(SMALL_BIN) python3 compat-tests/run.py
	sh tools/binfmt-qemu-aarch64.sh bash tests/qemu-aarch64.sh integration $(SMALL_BIN_AARCH64)
	sh tools/binfmt-qemu-aarch64.sh bash tests/qemu-aarch64.sh compat $(SMALL_BIN_AARCH64)

# The size budgets (docs/performance.md) are properties of the files, not
# timings: checked on every run, so that a dependency or a profile change
# that grows a build fails here rather than in a benchmark.
size-check: static static-small
	@for budget in "$(STATIC_BIN) 460" "$(SMALL_BIN) 100"; do \
		set -- $$budget; size=$$(stat -c %s "$$1"); \
		if [ "$$size" -le $$(($$2 * 1024)) ]; then \
			echo "ok - $$1: $$size bytes, within $$2 KiB"; \
		else \
			echo "FAIL - $$1: $$size bytes, over $$2 KiB"; exit 1; \
		fi; \
	done

test: deps lint unit-test size-check integration-test integration-test-aarch64
	$(MAKE) compat
	DUMB_INIT_UNDER_TEST=$(STATIC_BIN) $(MAKE) compat
	$(MAKE) compat-aarch64
	$(MAKE) small-test
	$(MAKE) package-test
	$(MAKE) cargo-package-test
	$(MAKE) wheel-test

# dpkg-deb with the hand-kept files in packaging/debian/ (see build-deb.sh).
deb: $(SHIPPED_BUILDS)
	sh packaging/build-deb.sh $(SHIPPED_BIN_X86_64) amd64
	sh packaging/build-deb.sh $(SHIPPED_BIN_AARCH64) arm64

# The release files (dumb-init's names), both .debs and SHA256SUMS. Two runs
# from the same commit give the same bytes (packaging/tests/reproducible.sh).
dist: $(SHIPPED_BUILDS)
	sh packaging/dist.sh $(SHIPPED_BIN_X86_64) $(SHIPPED_BIN_AARCH64)

# The shipped binaries as the `dumb-init` script of a wheel each, tagged for
# glibc and musl Pythons (packaging/wheel.py packs them, never rebuilds them).
wheel: $(SHIPPED_BUILDS)
	python3 packaging/wheel.py $(SHIPPED_BIN_X86_64) x86_64 $(CURDIR)/target/wheels
	python3 packaging/wheel.py $(SHIPPED_BIN_AARCH64) aarch64 $(CURDIR)/target/wheels

# pip install into a fresh venv, pip download per platform, aarch64 under qemu.
wheel-test: deps wheel
	STATIC_BIN=$(SHIPPED_BIN_X86_64) STATIC_BIN_AARCH64=$(SHIPPED_BIN_AARCH64) bash packaging/tests/wheel.sh

# The examples' Dockerfiles COPY make static's file; the packages hold the
# shipped build.
package-test: deps deb static
	STATIC_BIN=$(SHIPPED_BIN_X86_64) STATIC_BIN_AARCH64=$(SHIPPED_BIN_AARCH64) bash packaging/tests/run.sh

# Ours (the static build) beside the reference dumb-init and tini: one table of
# medians and ratios, then ours' bytes per crate (cargo bloat, installed when
# missing). Compiles its C helpers (the floor init among them), and the
# reference by its own static recipe from Debian's source (adding a deb-src
# entry when apt has none), into target/bench; about 5 minutes. Another build
# of ours is one more `--ours "LABEL=PATH"` (and `--crates
# "LABEL=CARGO_BLOAT_ARGS"`), in BENCH_EXTRA for one run, e.g. an older
# commit's beside the current ones:
#   make bench BENCH_EXTRA='--ours "old=PATH" --compare "ours (static)=old"'
BENCH_BUILDS := --ours "ours (static)=$(STATIC_BIN)" \
	--crates "ours (static)=--release --target $(MUSL_TARGET)" \
	--ours "ours (small)=$(SMALL_BIN)" --size-budget "ours (small)=100" \
	--crates "ours (small)=+$(SMALL_TOOLCHAIN) --release --target $(MUSL_TARGET) $(subst ",\",$(call small_flags,$(MUSL_TARGET)))"
BENCH_DEPS := valgrind:valgrind taskset:util-linux strip:binutils xz:xz-utils
BENCH_EXTRA :=

bench: static static-small
	sh tools/install-test-deps.sh $(BENCH_DEPS)
	RUSTC_BOOTSTRAP=1 python3 bench/bench.py $(BENCH_BUILDS) $(BENCH_EXTRA) --helpers $(CURDIR)/target/bench

bench-size: static static-small
	sh tools/install-test-deps.sh $(BENCH_DEPS)
	RUSTC_BOOTSTRAP=1 python3 bench/bench.py $(BENCH_BUILDS) --helpers $(CURDIR)/target/bench --sizes-only
