/// libFuzzer target: the image kernel's decode path (tsk_probe + tsk_decode_resize) on arbitrary bytes.
///
/// The kernel reads from a path, as the worker does, so each input is written into one memfd and the
/// kernel is handed `/proc/self/fd/N`: opening it gives a fresh regular-file descriptor on the same
/// bytes, for the direct libtiff path and for the cv::imread fallback alike, with no disk I/O.
/// `max_pixels` is modest (4 Mi pixels, as a worker configured for small images would use), so the
/// fuzzer explores header and codec paths instead of allocating gigabytes.
///
/// Besides the sanitizers, every input checks the contract of image_kernel.h and aborts (a crash for
/// libFuzzer) when it is broken: a known status; an error message iff the status is not TSK_OK, NUL-
/// terminated inside its buffer; the destination untouched on failure; a decoded size within the
/// limit; and tsk_probe agreeing with tsk_decode_resize about the header (both read it the same way).
///
/// Set TSK_FUZZ_VERBOSE=1 to print the outcome of each input (useful when reproducing a crash).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

#include "image_kernel.h"

namespace {

constexpr uint64_t kMaxPixels = uint64_t(1) << 22;
constexpr uint8_t kCanary = 0xA5;

int memoryFile = -1;
char memoryPath[64];
bool verbose = false;

[[noreturn]] void violated(const char *what, tsk_status status, const char *message) {
    std::fprintf(stderr, "fuzz_decode: contract violated: %s (status %d, message \"%s\")\n", what,
                 static_cast<int>(status), message);
    std::abort();
}

/// Replaces the memfd's content with the input.
void store(const uint8_t *data, size_t size) {
    if (::ftruncate(memoryFile, 0) != 0) std::abort();
    size_t done = 0;
    while (done < size) {
        ssize_t n = ::pwrite(memoryFile, data + done, size - done, static_cast<off_t>(done));
        if (n <= 0) std::abort();
        done += static_cast<size_t>(n);
    }
}

/// The message must be NUL-terminated within the buffer, empty exactly when the status is TSK_OK.
void checkMessage(tsk_status status, const char *error, size_t capacity) {
    if (static_cast<int>(status) < TSK_OK || static_cast<int>(status) > TSK_INTERNAL)
        violated("unknown status", status, "");
    if (std::memchr(error, '\0', capacity) == nullptr) violated("message not NUL-terminated", status, "");
    if ((status == TSK_OK) != (error[0] == '\0')) violated("message present iff failure", status, error);
}

bool sameHeader(const tsk_info &a, const tsk_info &b) {
    return a.width == b.width && a.height == b.height && a.bits_per_sample == b.bits_per_sample &&
           a.samples_per_pixel == b.samples_per_pixel && a.pages == b.pages && a.compression == b.compression &&
           a.used_fallback == b.used_fallback && a.big_tiff == b.big_tiff;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    tsk_init();
    memoryFile = ::memfd_create("tsk-fuzz-input", MFD_CLOEXEC);
    if (memoryFile < 0) {
        std::perror("memfd_create");
        std::abort();
    }
    std::snprintf(memoryPath, sizeof memoryPath, "/proc/self/fd/%d", memoryFile);
    const char *flag = std::getenv("TSK_FUZZ_VERBOSE");
    verbose = flag != nullptr && flag[0] != '\0' && flag[0] != '0';
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    store(data, size);

    // Output geometry and interpolation vary with the input length (deterministic per input, and
    // every byte stays part of the TIFF): down- and up-scaling, odd sizes, all five modes.
    const int32_t width = 1 + static_cast<int32_t>(size % 41);
    const int32_t height = 1 + static_cast<int32_t>((size / 41) % 23);
    const auto interpolation = static_cast<tsk_interpolation>(size % 5);

    char probeError[256];
    tsk_info probeInfo;
    tsk_status probed = tsk_probe(memoryPath, kMaxPixels, &probeInfo, probeError, sizeof probeError);
    checkMessage(probed, probeError, sizeof probeError);

    // Exactly the destination size, so ASan sees any write past it.
    std::vector<uint8_t> destination(static_cast<size_t>(width) * height, kCanary);
    char error[256];
    tsk_info info;
    tsk_status status = tsk_decode_resize(memoryPath, destination.data(), width, height, interpolation, kMaxPixels,
                                          &info, error, sizeof error);
    checkMessage(status, error, sizeof error);
    if (verbose) {
        std::fprintf(stderr,
                     "fuzz_decode: %zu bytes -> %dx%d interp %d: probe %d, decode %d \"%s\"; %ux%u %u-bit x %u, "
                     "compression %u, %u pages, fallback %u, bigtiff %u\n",
                     size, width, height, static_cast<int>(interpolation), static_cast<int>(probed),
                     static_cast<int>(status), error, info.width, info.height, info.bits_per_sample,
                     info.samples_per_pixel, info.compression, info.pages, info.used_fallback, info.big_tiff);
    }

    if (status != TSK_OK) {
        for (uint8_t byte : destination)
            if (byte != kCanary) violated("destination written on failure", status, error);
    } else if (info.width == 0 || info.height == 0 || uint64_t(info.width) * info.height > kMaxPixels) {
        violated("decoded a size outside the limit", status, error);
    }
    // Both calls read the same header the same way: a header-level verdict must agree, and whatever
    // the probe learned is what the decode reports.
    if (probed != TSK_OK && probed != status) violated("probe and decode disagree", status, error);
    // (TSK_TOO_LARGE stays possible after a good probe: a strip or tile over the decode budget.)
    if (probed == TSK_OK && (status == TSK_NOT_TIFF || status == TSK_OPEN_FAILED))
        violated("decode rejects a header the probe accepted", status, error);
    if (probed == TSK_OK && !sameHeader(probeInfo, info)) violated("probe and decode report different headers",
                                                                   status, error);
    return 0;
}
