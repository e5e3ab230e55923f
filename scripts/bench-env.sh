# Sourced by the benchmark scripts: which release build they measure, and where it is.
# Where this machine can, Cairn is built as the polars Python wheels are (a nightly compiler for polars'
# SIMD kernels, its CSV field splitter among them, and x86-64-v3 instructions), so Cairn and its polars
# peers run the same engine built the same way. Elsewhere (no nightly toolchain, an older CPU, or
# CAIRN_BENCH_STABLE=1) the stable build is measured. Every other build (make run, make test) is stable.
: "${CARGO_TARGET_DIR:=$HOME/.cache/cairn/target}"
cpu_has() { grep -qw "$1" /proc/cpuinfo 2>/dev/null; }
if [[ "${CAIRN_BENCH_STABLE:-}" != 1 ]] && cargo +nightly --version >/dev/null 2>&1 \
  && cpu_has avx2 && cpu_has fma && cpu_has bmi2 && cpu_has movbe; then
  BENCH_CARGO=(cargo +nightly)
  BENCH_FEATURES=(--features cairn-flow/simd)
  BENCH_RUSTFLAGS="-C target-cpu=x86-64-v3"
  BENCH_TARGET="$CARGO_TARGET_DIR-fast"
  BENCH_BUILD="nightly $(cargo +nightly --version | cut -d' ' -f2), polars SIMD, x86-64-v3"
else
  BENCH_CARGO=(cargo)
  BENCH_FEATURES=()
  BENCH_RUSTFLAGS="${RUSTFLAGS:-}"
  BENCH_TARGET="$CARGO_TARGET_DIR"
  BENCH_BUILD="stable $(cargo --version | cut -d' ' -f2)"
fi
REL="$BENCH_TARGET/release"

bench_build() {
  echo "==> release build for the benchmarks: $BENCH_BUILD, in $BENCH_TARGET"
  CARGO_TARGET_DIR="$BENCH_TARGET" RUSTFLAGS="$BENCH_RUSTFLAGS" \
    "${BENCH_CARGO[@]}" build --release --workspace --bins --examples "${BENCH_FEATURES[@]}"
}
