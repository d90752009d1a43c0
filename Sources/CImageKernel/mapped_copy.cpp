/// SIGBUS-guarded copies out of file mappings (see mapped_copy.hpp).
#include "mapped_copy.hpp"

#include <atomic>
#include <csetjmp>
#include <csignal>
#include <cstring>
#include <sys/mman.h>
#include <fcntl.h>
#include <unistd.h>

#include "image_kernel.h"

namespace tsk {
namespace {

/// Where a SIGBUS inside `guardedCopy` on this thread jumps to; null outside one. Volatile: the compiler
/// knows memcpy does not read it and would otherwise drop the store before the copies (seen at -O2).
thread_local sigjmp_buf *volatile activeGuard = nullptr;

void onBusError(int signal, siginfo_t *, void *) {
    sigjmp_buf *guard = activeGuard;
    if (guard != nullptr) siglongjmp(*guard, 1);
    // Not ours: the default action (the process ends, as it would have without the handler).
    struct sigaction standard = {};
    standard.sa_handler = SIG_DFL;
    sigaction(signal, &standard, nullptr);
    raise(signal);
}

} // namespace

void installMappedCopyGuard() noexcept {
    struct sigaction action = {};
    action.sa_sigaction = onBusError;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, nullptr);
}

FileMapping::FileMapping(int fd, uint64_t offset, uint64_t length) noexcept {
    if (length == 0) return;
    const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    const uint64_t aligned = offset / page * page;
    const size_t total = static_cast<size_t>(length + (offset - aligned));
    void *region = mmap(nullptr, total, PROT_READ, MAP_SHARED, fd, static_cast<off_t>(aligned));
    if (region == MAP_FAILED) return;
    region_ = static_cast<uint8_t *>(region);
    regionLength_ = total;
    base_ = region_ + (offset - aligned);
    start_ = offset;
}

FileMapping::~FileMapping() {
    if (region_ != nullptr) munmap(region_, regionLength_);
}

bool guardedCopy(const CopyRun *runs, size_t count) noexcept {
    sigjmp_buf guard;
    // Volatile: modified between sigsetjmp and a possible siglongjmp.
    volatile size_t next = 0;
    if (sigsetjmp(guard, 1) != 0) {
        activeGuard = nullptr;
        return false;
    }
    activeGuard = &guard;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    for (; next < count; next = next + 1) std::memcpy(runs[next].to, runs[next].from, runs[next].length);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    activeGuard = nullptr;
    return true;
}

} // namespace tsk

extern "C" int tsk_selftest_mapped_copy_guard(const char *scratch_path) {
    const int fd = open(scratch_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    static uint8_t source[1 << 20];
    static uint8_t target[1 << 20];
    int result = -1;
    if (write(fd, source, sizeof source) == static_cast<ssize_t>(sizeof source)) {
        tsk::FileMapping mapping(fd, 0, sizeof source);
        if (mapping.valid() && ftruncate(fd, 0) == 0) {
            const tsk::CopyRun run{mapping.at(0), target, sizeof target};
            result = tsk::guardedCopy(&run, 1) ? 0 : 1;
        }
    }
    close(fd);
    unlink(scratch_path);
    return result;
}
