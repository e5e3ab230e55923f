# Sourced by the benchmark scripts: which release build they measure, and where it is.
# By default the build users run: the stable release build `make run`, `make package` and `make test` make,
# in the same target directory (so `make bench` after either compiles nothing new). With CAIRN_BENCH_FAST=1,
# where the machine can, Cairn is built as the polars Python wheels are (a nightly compiler for polars'
# SIMD kernels, its CSV field splitter among them, and x86-64-v3 instructions), so Cairn and its polars
# peers run the same engine built the same way; that build is for comparison only and its figures are
# labelled as such in the README.
: "${CARGO_TARGET_DIR:=$HOME/.cache/cairn/target}"
cpu_has() { grep -qw "$1" /proc/cpuinfo 2>/dev/null; }
if [[ "${CAIRN_BENCH_FAST:-}" == 1 ]] && cargo +nightly --version >/dev/null 2>&1 \
  && cpu_has avx2 && cpu_has fma && cpu_has bmi2 && cpu_has movbe; then
  BENCH_CARGO=(cargo +nightly)
  BENCH_FEATURES=(--features cairn-flow/simd)
  BENCH_RUSTFLAGS="-C target-cpu=x86-64-v3"
  BENCH_TARGET="$CARGO_TARGET_DIR-fast"
  BENCH_BUILD="nightly $(cargo +nightly --version | cut -d' ' -f2), polars SIMD, x86-64-v3 (not the shipped build)"
else
  [[ "${CAIRN_BENCH_FAST:-}" == 1 ]] && echo "==> CAIRN_BENCH_FAST=1 needs a nightly toolchain and an x86-64-v3 CPU; measuring the shipped build"
  BENCH_CARGO=(cargo)
  BENCH_FEATURES=()
  BENCH_RUSTFLAGS="${RUSTFLAGS:-}"
  BENCH_TARGET="$CARGO_TARGET_DIR"
  BENCH_BUILD="the shipped build: stable $(cargo --version | cut -d' ' -f2), release"
fi
REL="$BENCH_TARGET/release"

# The same cargo invocation as `make build`, so the benchmarks measure the very binaries the tests ran.
bench_build() {
  echo "==> release build for the benchmarks: $BENCH_BUILD, in $BENCH_TARGET"
  CARGO_TARGET_DIR="$BENCH_TARGET" RUSTFLAGS="$BENCH_RUSTFLAGS" \
    "${BENCH_CARGO[@]}" build --release --workspace --all-targets "${BENCH_FEATURES[@]}"
}
