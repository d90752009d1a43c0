#!/usr/bin/env bash
# Coverage-guided fuzzing of the image kernel's decode path (libFuzzer + ASan + UBSan), bounded in time.
#
# Usage: Tests/fuzz/run-fuzz.sh [SECONDS]      (default 60)
#
# Installs what is missing (quietly, idempotent), builds Sources/CImageKernel/*.cpp and
# Tests/fuzz/fuzz_decode.cpp with clang -fsanitize=fuzzer,address,undefined into .build-fuzz/
# (gitignored; rebuilt only when a source, header or flag changes), writes the seed corpus
# (Tests/fuzz/make_seeds.py, plus the committed regression seeds in Tests/fuzz/seeds/), fuzzes for
# SECONDS, then prints executions, exec/s, corpus size and coverage of the kernel sources, and a
# last line "1 passed, 0 failed" or "0 passed, 1 failed" (with the crashing input and a command
# that reproduces it). Exit status 0 iff passed.
#
# Environment: FUZZ_CXX (a clang++ whose runtime has libFuzzer), FUZZ_BUILD_DIR (default
# .build-fuzz), FUZZ_ARGS (extra libFuzzer flags, e.g. "-seed=1" or "-use_value_profile=1").
# The working corpus in $FUZZ_BUILD_DIR/corpus is kept between local runs, so fuzzing resumes.
set -euo pipefail

seconds=${1:-60}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [SECONDS]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${FUZZ_BUILD_DIR:-$root/.build-fuzz}
mkdir -p "$out"
log() { echo "fuzz: $*"; }

# --- dependencies ---------------------------------------------------------------------------
apt_install() {
    log "installing Debian packages: $*"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "$@" >/dev/null
}
missing=()
for p in libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev libtiff-dev; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]} == 0)) || apt_install "${missing[@]}"
python3 -c "import numpy, tifffile, imagecodecs" 2>/dev/null ||
    python3 -m pip install -q --disable-pip-version-check numpy tifffile imagecodecs

# A clang whose runtime ships libFuzzer: the Swift toolchain's clang does; else Debian's clang 14
# with libclang-rt-14-dev (installed here if needed).
works() { # compiler -> 0 if it links a sanitized libFuzzer target
    printf '%s\n' '#include <cstdint>' '#include <cstddef>' \
        'extern "C" int LLVMFuzzerTestOneInput(const uint8_t *, size_t) { return 0; }' >"$out/probe.cpp"
    "$1" -fsanitize=fuzzer,address,undefined $(linker_flag "$1") "$out/probe.cpp" -o "$out/probe" >/dev/null 2>&1
}
linker_flag() { [[ -x "$(dirname "$(command -v "$1")")/ld.lld" ]] && echo "-fuse-ld=lld" || true; }
cxx=""
for candidate in "${FUZZ_CXX:-}" /opt/swift/usr/bin/clang++ clang++ clang++-14; do
    [[ -n $candidate ]] && command -v "$candidate" >/dev/null && works "$candidate" && { cxx=$candidate; break; }
done
if [[ -z $cxx ]]; then
    apt_install clang-14 libclang-rt-14-dev
    works clang++-14 && cxx=clang++-14 || { echo "fuzz: no clang with libFuzzer available" >&2; exit 1; }
fi
rm -f "$out/probe" "$out/probe.cpp"

# --- build ----------------------------------------------------------------------------------
common=(-std=c++17 -g -fno-omit-frame-pointer -I/usr/include/opencv4 -I"$root/Sources/CImageKernel/include"
        -I"$root/Sources/CImageKernel")
libs=(-lopencv_imgcodecs -lopencv_imgproc -lopencv_core -ltiff)
sources=("$root"/Sources/CImageKernel/*.cpp "$here/fuzz_decode.cpp")
newest=$(ls -t "${sources[@]}" "$root"/Sources/CImageKernel/*.hpp "$root"/Sources/CImageKernel/include/*.h | head -1)
build() { # name flags... -> $out/name, rebuilt only if a source, header or flag changed
    local name=$1 binary=$out/$1 stamp
    shift
    stamp="$("$cxx" --version | head -1) $* $(linker_flag "$cxx")"
    if [[ -x $binary && ! $newest -nt $binary && "$(cat "$out/$name.stamp" 2>/dev/null)" == "$stamp" ]]; then
        return
    fi
    local start=$SECONDS
    rm -rf "$out/obj-$name" && mkdir -p "$out/obj-$name"
    # Two compilers at most: the machine is shared.
    printf '%s\n' "${sources[@]}" | xargs -P 2 -I{} sh -c \
        'f="$1"; o="$2"; shift 2; exec "$@" -c "$f" -o "$o/$(basename "$f" .cpp).o"' _ {} "$out/obj-$name" \
        "$cxx" "$@"
    "$cxx" "$@" $(linker_flag "$cxx") "$out/obj-$name"/*.o "${libs[@]}" -o "$binary"
    echo "$stamp" >"$out/$name.stamp"
    log "built $name with $("$cxx" --version | head -1) in $((SECONDS - start)) s"
}
binary=$out/fuzz_decode
build fuzz_decode "${common[@]}" -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

# --- corpus ---------------------------------------------------------------------------------
rm -rf "$out/seeds" "$out/artifacts"
mkdir -p "$out/corpus" "$out/seeds" "$out/artifacts"
python3 "$here/make_seeds.py" "$out/seeds" >"$out/seeds.log"
corpora=("$out/corpus" "$out/seeds")
[[ -d $here/seeds ]] && corpora+=("$here/seeds")
log "$(ls "$out/seeds" | wc -l) generated seeds, $(ls "$here/seeds" 2>/dev/null | wc -l) regression seeds"

# --- fuzz -----------------------------------------------------------------------------------
failed() { # log status input -> prints the report and the reproduction command, exits 1
    echo "---- sanitizer/libFuzzer report (tail of $1) ----"
    # Fuzzer progress lines and cv::imread's own stderr chatter ("imread_(...): can't read ...") are noise.
    grep -v -E '^#[0-9]+[[:space:]]|^imread_|^> |^$' "$1" | tail -60
    echo "----"
    log "FAILED (exit status $2)"
    if [[ -n $3 ]]; then
        log "crashing input: $3"
        log "reproduce: TSK_FUZZ_VERBOSE=1 LSAN_OPTIONS=suppressions=$here/lsan.supp $binary $3"
    fi
    echo "0 passed, 1 failed"
    exit 1
}
# Third-party noise is not a kernel failure: leaks inside Debian's uninstrumented libtiff/OpenCV are
# suppressed in lsan.supp (never frames of our code); UBSan only instruments our sources.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_odr_violation=0:allocator_may_return_null=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
options=(-max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 -dict="$here/tiff.dict"
         -artifact_prefix="$out/artifacts/" -print_final_stats=1)
# Regression seeds first, each in a fresh process: some bugs (e.g. a wrapped buffer size) only show
# while the kernel's scratch buffers are still small, which is no longer true mid-corpus.
if [[ -d $here/seeds ]]; then
    for seed in "$here"/seeds/*; do
        "$binary" "$seed" >"$out/replay.log" 2>&1 || failed "$out/replay.log" $? "$seed"
    done
    log "regression seeds replayed one per process: no failure"
fi
log "fuzzing for $seconds s (log: $out/fuzz.log)"
status=0
# shellcheck disable=SC2086
"$binary" "${options[@]}" ${FUZZ_ARGS:-} "${corpora[@]}" >"$out/fuzz.log" 2>&1 || status=$?

# --- summary --------------------------------------------------------------------------------
# Source-based coverage of Sources/CImageKernel by the final corpus: a second, uninstrumented-by-ASan
# build with clang's profile instrumentation replays the corpus once (-runs=0).
coverage() {
    local tools profdata llvmcov
    tools=$(dirname "$(command -v "$cxx")")
    local version=$("$cxx" --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -1)
    profdata=$(command -v "$tools/llvm-profdata" || command -v "llvm-profdata-$version" || true)
    llvmcov=$(command -v "$tools/llvm-cov" || command -v "llvm-cov-$version" || true)
    if [[ -z $profdata || -z $llvmcov ]]; then
        log "coverage: llvm-profdata/llvm-cov $version not found, skipped"
        return
    fi
    build fuzz_decode_cov "${common[@]}" -O0 -fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping
    rm -rf "$out/profile" && mkdir -p "$out/profile"
    LLVM_PROFILE_FILE="$out/profile/%p.profraw" "$out/fuzz_decode_cov" -runs=0 "${corpora[@]}" \
        >"$out/coverage.log" 2>&1 || true
    "$profdata" merge -sparse "$out"/profile/*.profraw -o "$out/profile/merged.profdata"
    "$llvmcov" report "$out/fuzz_decode_cov" -instr-profile="$out/profile/merged.profdata" \
        "$root"/Sources/CImageKernel/*.cpp "$root"/Sources/CImageKernel/*.hpp >"$out/coverage.txt"
    log "kernel coverage by the corpus (full report: $out/coverage.txt):"
    sed -e "s#$root/Sources/CImageKernel/##" "$out/coverage.txt" | awk '$1 != "Filename" && $1 !~ /^-/ && NF >= 13 {
        printf "fuzz:   %-20s lines %4d/%-4d %7s   branches %4d/%-4d %7s\n",
               $1, $8 - $9, $8, $10, $11 - $12, $11, $13 }'
}

stat() { sed -n "s/^stat::$1: *//p" "$out/fuzz.log" | tail -1; }
done_line=$(grep -E '^#[0-9]+[[:space:]]+(DONE|INITED|NEW|REDUCE|pulse)' "$out/fuzz.log" | tail -1 || true)
log "executions: $(stat number_of_executed_units), exec/s: $(stat average_exec_per_sec)," \
    "new units: $(stat new_units_added), peak RSS: $(stat peak_rss_mb) MB"
log "last status: ${done_line:-none}"
log "corpus: $(ls "$out/corpus" | wc -l) files in $out/corpus"
if ((status == 0)); then
    coverage
fi

artifact=$(ls -t "$out"/artifacts/{crash,leak,timeout,oom}-* 2>/dev/null | head -1 || true)
if ((status != 0)) || [[ -n $artifact ]]; then
    failed "$out/fuzz.log" "$status" "$artifact"
fi
echo "1 passed, 0 failed"
