# dumb-init-rs: build, test and measure. `make help` lists the targets.

MUSL_TARGET := x86_64-unknown-linux-musl
RELEASE_BIN := $(CURDIR)/target/release/dumb-init
STATIC_BIN  := $(CURDIR)/target/$(MUSL_TARGET)/release/dumb-init

# Every architecture a release ships for, one row each: the name `uname -m`
# prints there (what release files and wheels are named by), the Rust target,
# the Debian architecture, and the GNU triple of Debian's cross gcc that links
# it ("-": rust-lld, no C toolchain). .cargo/config.toml says how each target
# links and docs/packaging.md why. x86_64 is `make static` and
# `make static-small`; each other one NAME is `make static-NAME` and
# `make static-small-NAME`.
ARCH_TABLE := \
	x86_64:x86_64-unknown-linux-musl:amd64:- \
	aarch64:aarch64-unknown-linux-musl:arm64:- \
	ppc64le:powerpc64le-unknown-linux-gnu:ppc64el:powerpc64le-linux-gnu \
	s390x:s390x-unknown-linux-gnu:s390x:s390x-linux-gnu \
	armv7l:armv7-unknown-linux-gnueabihf:armhf:arm-linux-gnueabihf \
	i686:i686-unknown-linux-musl:i386:- \
	riscv64:riscv64gc-unknown-linux-gnu:riscv64:riscv64-linux-gnu
arch_field = $(word $(2),$(subst :, ,$(filter $(1):%,$(ARCH_TABLE))))
rust_target = $(call arch_field,$(1),2)
deb_arch = $(call arch_field,$(1),3)
cross_gcc = $(call arch_field,$(1),4)
# ARCHES="NAME ..." on make's command line restricts every loop to those rows
# (packaging/tests/reproducible.sh's second build does).
ARCHES := $(foreach row,$(ARCH_TABLE),$(firstword $(subst :, ,$(row))))
CROSS_ARCHES := $(filter-out x86_64,$(ARCHES))
static_bin = $(CURDIR)/target/$(call rust_target,$(1))/release/dumb-init
# The other architectures the compat suite runs on (make compat-NAME), besides
# x86_64: aarch64, and s390x, the one big-endian target.
COMPAT_ARCHES := aarch64 s390x

# The small build (make static-small): the same source, built with
# -Z build-std and the immediate-abort panic strategy, on a pinned stable
# toolchain with RUSTC_BOOTSTRAP=1 (docs/performance.md says why), in a
# target directory of its own. A panic aborts on the spot and nothing
# unwinds, so no unwind tables are kept (15 KiB of the x86_64 file), and
# std picks its smaller algorithms (optimize_for_size).
SMALL_TOOLCHAIN := 1.95.0
SMALL_DIR := $(CURDIR)/target/small
SMALL_BIN := $(SMALL_DIR)/$(MUSL_TARGET)/release/dumb-init
small_bin = $(SMALL_DIR)/$(call rust_target,$(1))/release/dumb-init
SMALL_CARGO = RUSTC_BOOTSTRAP=1 cargo +$(SMALL_TOOLCHAIN)
small_flags = -Z build-std=std,panic_abort -Z build-std-features=optimize_for_size \
	--config 'target.$(1).rustflags = ["-Zunstable-options", "-Cpanic=immediate-abort", "-Cforce-unwind-tables=no"]'
small_build = $(call small_flags,$(1)) --target-dir $(SMALL_DIR) \
	--config 'target.$(1).rustflags = [$(SMALL_REMAP)]'

# What make deb and make dist ship: the small build of every architecture.
# Shipping another build means changing these lines.
SHIPPED_BUILDS := static-small $(addprefix static-small-,$(CROSS_ARCHES))
shipped_bin = $(call small_bin,$(1))
# For the package tests: ARCH:DEBIAN_ARCH:BINARY for every architecture.
SHIPPED := $(foreach arch,$(ARCHES),$(arch):$(call deb_arch,$(arch)):$(call shipped_bin,$(arch)))

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
.PHONY: compat-tini compat-catatonit
.PHONY: demo-container dist cargo-package-test
.PHONY: small-toolchain static-small small-test size-check
.PHONY: wheel wheel-test cross-test reproducible-test
# One of each per other architecture (the rules below ARCH_TABLE's).
.PHONY: $(foreach arch,$(CROSS_ARCHES),static-$(arch) static-small-$(arch) integration-test-$(arch) small-integration-test-$(arch))
.PHONY: $(foreach arch,$(COMPAT_ARCHES),compat-$(arch) small-compat-$(arch))

# One line a target, grouped by when it is used.
help:
	@echo "Daily:"
	@echo "  make check          fmt, clippy, unit tests and integration tests against the debug build"
	@echo "                      (under a minute warm; what needs root or a missing test tool is skipped"
	@echo "                      and said; DUMB_INIT_TEST_STRICT=1 makes a missing tool fail)"
	@echo "  make build          release binary at target/release/dumb-init"
	@echo "  make demo           run dumb-init on examples/background-job-entrypoint.sh, stop it with SIGTERM"
	@echo "  make lint           cargo fmt --check and clippy -D warnings"
	@echo "  make unit-test      the unit tests (cargo test --lib)"
	@echo "Full test (what CI runs; root installs what is missing):"
	@echo "  make test           everything below, from lint to the wheels; a missing test tool fails"
	@echo "                      (DUMB_INIT_TEST_STRICT=1)"
	@echo "  make deps           install the test dependencies (apt, pip, rustup targets)"
	@echo "  make integration-test      integration tests against the release and static builds"
	@echo "  make integration-test-ARCH  the same against another architecture's build, under qemu-user"
	@echo "                      (ARCH: $(CROSS_ARCHES); i686 runs natively)"
	@echo "  make compat         the differential suite against the reference dumb-init"
	@echo "  make compat-ARCH    the same against another architecture's build (ARCH: $(COMPAT_ARCHES))"
	@echo "  make compat-tini    ours run as tini against Debian's tini-static 0.19.0"
	@echo "  make compat-catatonit  ours run as catatonit against Debian's catatonit 0.1.7"
	@echo "                      (make compat runs both too, unless PERSONALITY_COMPAT= is given)"
	@echo "  make small-test     integration and compat suites against the small builds"
	@echo "                      (one architecture: small-integration-test-ARCH, small-compat-ARCH)"
	@echo "  make cross-test     integration-test-ARCH and compat-ARCH for every other architecture"
	@echo "                      (not run by make test, which tests their shipped builds in small-test)"
	@echo "  make size-check     the size budgets of the static and small builds"
	@echo "  make package-test   the .debs in Debian roots, the static binary and the examples as PID 1,"
	@echo "                      the examples as podman images, reproducibility ($(REPRODUCIBLE_ARCHES))"
	@echo "  make reproducible-test  make dist in a clone, compared, for all seven architectures"
	@echo "                      (not run by make test)"
	@echo "  make wheel-test     the wheels installed by pip and run"
	@echo "  make cargo-package-test  the crate packed and built as crates.io gets it"
	@echo "  make demo-container podman stop on a shell entrypoint, with no init and with ours (root)"
	@echo "Release:"
	@echo "  make static         static musl binary at target/$(MUSL_TARGET)/release/dumb-init"
	@echo "  make static-ARCH    the same for another architecture, at target/<Rust target>/release/dumb-init"
	@echo "                      (ARCH as uname -m names it: $(CROSS_ARCHES))"
	@echo "  make small-toolchain  the pinned $(SMALL_TOOLCHAIN) toolchain with rust-src for the small builds"
	@echo "  make static-small   the same code built small (build-std, $(SMALL_TOOLCHAIN)): what releases ship"
	@echo "  make static-small-ARCH  the same for another architecture"
	@echo "  make deb            the .debs, one per architecture, under target/debian/"
	@echo "  make wheel          the wheels (pip install dumb-init-rs) under target/wheels/: one per"
	@echo "                      architecture, and a pure-Python stand-in for macOS and the rest"
	@echo "  make dist           release files and SHA256SUMS in target/dist/, reproducible"
	@echo "Bench:"
	@echo "  make bench          ours beside the reference dumb-init and tini, as ratios"
	@echo "  make bench-size     only the sizes, and our bytes per crate"

# The quick daily loop: no apt, rustup or extra builds. The integration
# tests run against the debug build (cargo's own), and say which groups they
# skip where root or a test tool (tini, strace, the reference dumb-init...)
# is missing; DUMB_INIT_TEST_STRICT is not set here.
check:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	cargo test

build:
	cargo build --release

static:
	$(call static_recipe,$(MUSL_TARGET))

# make static-aarch64, static-ppc64le, ...: the same for each other row of
# ARCH_TABLE, at target/<Rust target>/release/dumb-init.
$(addprefix static-,$(CROSS_ARCHES)): static-%:
	$(call need_cross_gcc,$*)
	$(call static_recipe,$(call rust_target,$*))

# The small build's toolchain, with rust-src for build-std and every target
# (for the musl ones, build-std still links the start-up files and libc that
# the target's rust-std ships).
small-toolchain:
	rustup toolchain install $(SMALL_TOOLCHAIN) --profile minimal --component rust-src \
		$(foreach arch,$(ARCHES),--target $(call rust_target,$(arch)))

static-small: small-toolchain
	$(call small_recipe,$(MUSL_TARGET))

$(addprefix static-small-,$(CROSS_ARCHES)): static-small-%: small-toolchain
	$(call need_cross_gcc,$*)
	$(call small_recipe,$(call rust_target,$*))

# The recipes, for a Rust target.
define static_recipe
rustup target add $(1)
cargo build --release --target $(1) $(call remapped,$(1))
endef
small_recipe = $(SMALL_CARGO) build --release --target $(1) $(call small_build,$(1)) $(call remapped,$(1))
# The -gnu targets link with Debian's cross gcc (make deps installs it);
# without it, say which packages rather than let cargo report a missing linker.
need_cross_gcc = $(if $(filter-out -,$(call cross_gcc,$(1))),@command -v $(call cross_gcc,$(1))-gcc >/dev/null || { \
	echo "$(call cross_gcc,$(1))-gcc is missing: apt-get install gcc-$(call cross_gcc,$(1)) libc6-dev-$(call deb_arch,$(1))-cross (or make deps)" >&2; \
	exit 1; })
# One recipe line per architecture: $(foreach ...) with this at the end of each.
define newline


endef

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
	$(if $(PERSONALITY_COMPAT),$(MAKE) compat-tini compat-catatonit)

# The same binary run by the name tini, and by the name catatonit, against
# Debian's tini-static and catatonit (compat-tests/README.md). make compat
# runs them unless PERSONALITY_COMPAT is set empty.
PERSONALITY_COMPAT ?= 1
compat-tini: deps build
	python3 compat-tests/run.py --personality tini

compat-catatonit: deps build
	python3 compat-tests/run.py --personality catatonit

# The build of each other architecture under qemu-user (i686 runs natively):
# integration-test-NAME for every one, compat-NAME for COMPAT_ARCHES (above;
# s390x is there as the one big-endian target, where signal sets, siginfo and
# wait statuses must be read right). What qemu cannot reproduce is skipped by
# name, with the reason, from tests/qemu.skip.
CROSS_TEST = sh tools/binfmt-qemu.sh bash tests/cross-arch.sh
$(addprefix integration-test-,$(CROSS_ARCHES)): integration-test-%: deps static-%
	$(CROSS_TEST) $* integration $(call static_bin,$*)

$(addprefix compat-,$(COMPAT_ARCHES)): compat-%: deps static-%
	$(CROSS_TEST) $* compat $(call static_bin,$*)

cross-test: $(addprefix integration-test-,$(CROSS_ARCHES)) $(addprefix compat-,$(COMPAT_ARCHES))

# The crate as crates.io would get it: packs and builds from the .crate.
cargo-package-test:
	cargo package --allow-dirty

# The small builds, which releases ship: the integration tests against each,
# the compat suite against x86_64's and COMPAT_ARCHES' (the others under qemu,
# as above).
small-test: deps static-small
	DUMB_INIT_UNDER_TEST=$(SMALL_BIN) cargo test --release --test '*'
	DUMB_INIT_UNDER_TEST=$(SMALL_BIN) python3 compat-tests/run.py
	DUMB_INIT_UNDER_TEST=$(SMALL_BIN) python3 compat-tests/run.py --personality tini
	DUMB_INIT_UNDER_TEST=$(SMALL_BIN) python3 compat-tests/run.py --personality catatonit
	$(MAKE) $(addprefix small-integration-test-,$(CROSS_ARCHES)) $(addprefix small-compat-,$(COMPAT_ARCHES))

$(addprefix small-integration-test-,$(CROSS_ARCHES)): small-integration-test-%: deps static-small-%
	$(CROSS_TEST) $* integration $(call small_bin,$*)

$(addprefix small-compat-,$(COMPAT_ARCHES)): small-compat-%: deps static-small-%
	$(CROSS_TEST) $* compat $(call small_bin,$*)

# The size budgets (docs/performance.md, docs/packaging.md) are properties of
# the files, not timings: checked on every run, so that a dependency or a
# profile change that grows a build fails here rather than in a benchmark.
# The stable x86_64 build, then every architecture's shipped build; the
# glibc ones carry glibc's static start-up code and stdio (docs/packaging.md).
SIZE_BUDGETS_KIB := x86_64:110 aarch64:112 i686:110 armv7l:450 riscv64:500 s390x:680 ppc64le:1020
size-check: static $(SHIPPED_BUILDS)
	@for budget in "$(STATIC_BIN) 480" $(foreach row,$(SIZE_BUDGETS_KIB),\
		"$(call shipped_bin,$(firstword $(subst :, ,$(row)))) $(lastword $(subst :, ,$(row)))"); do \
		set -- $$budget; size=$$(stat -c %s "$$1"); \
		if [ "$$size" -le $$(($$2 * 1024)) ]; then \
			echo "ok - $$1: $$size bytes, within $$2 KiB"; \
		else \
			echo "FAIL - $$1: $$size bytes, over $$2 KiB"; exit 1; \
		fi; \
	done

# Against the other architectures, make test runs the suites against the
# shipped (small) builds only, in small-test; cross-test does the same for
# the stable ones (make static-NAME), aarch64's included.
# DUMB_INIT_TEST_STRICT=1 (tests/common/mod.rs) turns each group the
# integration tests would skip for a missing tool into a failure: make test
# runs everything or fails. It reaches the prerequisites and, exported, the
# sub-makes.
test: export DUMB_INIT_TEST_STRICT := 1
test: deps lint unit-test size-check integration-test
	$(MAKE) compat
	DUMB_INIT_UNDER_TEST=$(STATIC_BIN) $(MAKE) compat
	$(MAKE) small-test
	$(MAKE) package-test
	$(MAKE) cargo-package-test
	$(MAKE) wheel-test

# dpkg-deb with the hand-kept files in packaging/debian/ (see build-deb.sh),
# one .deb per architecture.
deb: $(SHIPPED_BUILDS)
	$(foreach arch,$(ARCHES),sh packaging/build-deb.sh $(call shipped_bin,$(arch)) $(call deb_arch,$(arch))$(newline))

# The release files (dumb-init's names), the .debs, the wheels and
# SHA256SUMS. Two runs from the same commit give the same bytes
# (packaging/tests/reproducible.sh).
dist: $(SHIPPED_BUILDS)
	sh packaging/dist.sh $(foreach arch,$(ARCHES),$(arch) $(call deb_arch,$(arch)) $(call shipped_bin,$(arch)))

# The shipped binaries as the `dumb-init` script of a wheel each, tagged for
# glibc and musl Pythons (packaging/wheel.py packs them, never rebuilds them),
# and the pure-Python stand-in (py3-none-any) that pip takes where none of
# them fits, such as macOS.
wheel: $(SHIPPED_BUILDS)
	$(foreach arch,$(ARCHES),python3 packaging/wheel.py $(call shipped_bin,$(arch)) $(arch) $(CURDIR)/target/wheels$(newline))
	python3 packaging/wheel.py --stand-in $(CURDIR)/target/wheels

# pip install into a fresh venv, pip download per platform, every other
# architecture's wheel installed for its platform and run under qemu.
wheel-test: deps wheel
	SHIPPED='$(SHIPPED)' bash packaging/tests/wheel.sh

# The examples' Dockerfiles COPY make static's file or the release files; the
# packages hold the shipped build.
# Its reproducibility check builds the commit again in a clone: for the
# architectures in REPRODUCIBLE_ARCHES, one of each kind of build (musl with
# rust-lld, glibc with a cross gcc, the big-endian one) beside aarch64, as
# each costs a build of std; make reproducible-test builds all seven.
REPRODUCIBLE_ARCHES := x86_64 aarch64 s390x
package-test: deps dist static
	REPRODUCIBLE_ARCHES='$(REPRODUCIBLE_ARCHES)' SHIPPED='$(SHIPPED)' bash packaging/tests/run.sh

reproducible-test: deps dist
	bash packaging/tests/reproducible.sh

# Ours (the static build) beside the reference dumb-init and tini: one table of
# medians and ratios, a second of the static build run by the name tini beside
# tini-static (--as-tini), then ours' bytes per crate (cargo bloat, installed when
# missing). Compiles its C helpers (the floor init among them), and the
# reference by its own static recipe from Debian's source (adding a deb-src
# entry when apt has none), into target/bench; about 5 minutes. Another build
# of ours is one more `--ours "LABEL=PATH"` (and `--crates
# "LABEL=CARGO_BLOAT_ARGS"`), in BENCH_EXTRA for one run, e.g. an older
# commit's beside the current ones:
#   make bench BENCH_EXTRA='--ours "old=PATH" --compare "ours (static)=old"'
BENCH_BUILDS := --ours "ours (static)=$(STATIC_BIN)" \
	--crates "ours (static)=--release --target $(MUSL_TARGET)" --as-tini "ours (static)" \
	--ours "ours (small)=$(SMALL_BIN)" --size-budget "ours (small)=110" \
	--crates "ours (small)=+$(SMALL_TOOLCHAIN) --release --target $(MUSL_TARGET) $(subst ",\",$(call small_flags,$(MUSL_TARGET)))"
BENCH_DEPS := valgrind:valgrind taskset:util-linux strip:binutils xz:xz-utils
BENCH_EXTRA :=

bench: static static-small
	sh tools/install-test-deps.sh $(BENCH_DEPS)
	RUSTC_BOOTSTRAP=1 python3 bench/bench.py $(BENCH_BUILDS) $(BENCH_EXTRA) --helpers $(CURDIR)/target/bench

bench-size: static static-small
	sh tools/install-test-deps.sh $(BENCH_DEPS)
	RUSTC_BOOTSTRAP=1 python3 bench/bench.py $(BENCH_BUILDS) --helpers $(CURDIR)/target/bench --sizes-only
