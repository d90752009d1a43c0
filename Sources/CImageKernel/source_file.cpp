/// Opening and signature check of the source file (see source_file.hpp).
#include "source_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel_failure.hpp"

namespace tsk {

SourceFile::SourceFile(const char *path) {
    // O_NONBLOCK: opening a FIFO dropped into the ingest directory must not hang the worker.
    do {
        fd_ = ::open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    } while (fd_ < 0 && errno == EINTR);
    if (fd_ < 0) fail(TSK_OPEN_FAILED, "cannot open: %s", std::strerror(errno));
    struct stat status;
    if (::fstat(fd_, &status) != 0) {
        int error = errno;
        ::close(fd_);
        fail(TSK_OPEN_FAILED, "cannot stat: %s", std::strerror(error));
    }
    if (!S_ISREG(status.st_mode)) {
        ::close(fd_);
        fail(TSK_OPEN_FAILED, "cannot read: %s", std::strerror(S_ISDIR(status.st_mode) ? EISDIR : EINVAL));
    }
    size_ = static_cast<uint64_t>(status.st_size);
    unsigned char signature[4] = {0, 0, 0, 0};
    ssize_t got = size_ == 0 ? 0 : readAt(signature, sizeof signature, 0);
    if (got < 0) {
        int error = errno;
        ::close(fd_);
        fail(TSK_OPEN_FAILED, "cannot read: %s", std::strerror(error));
    }
    if (size_ == 0 || got == 0) {
        ::close(fd_);
        fail(TSK_NOT_TIFF, "empty file");
    }
    bool little = got == 4 && signature[0] == 'I' && signature[1] == 'I' && signature[3] == 0;
    bool big = got == 4 && signature[0] == 'M' && signature[1] == 'M' && signature[2] == 0;
    unsigned char version = little ? signature[2] : signature[3];
    if (!(little || big) || (version != 42 && version != 43)) {
        ::close(fd_);
        fail(TSK_NOT_TIFF, "not a TIFF (no TIFF signature)");
    }
    bigTIFF_ = version == 43;
}

SourceFile::~SourceFile() {
    if (fd_ >= 0) ::close(fd_);
}

ssize_t SourceFile::readAt(void *buffer, size_t count, uint64_t offset) const noexcept {
    size_t done = 0;
    while (done < count) {
        ssize_t n = ::pread(fd_, static_cast<char *>(buffer) + done, count - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) break;
        done += static_cast<size_t>(n);
    }
    return static_cast<ssize_t>(done);
}

} // namespace tsk
