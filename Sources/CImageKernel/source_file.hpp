/// The source file of one decode: opened once, checked for a TIFF signature, read with pread.
#ifndef TIFFSHARD_SOURCE_FILE_HPP
#define TIFFSHARD_SOURCE_FILE_HPP

#include <cstddef>
#include <cstdint>
#include <sys/types.h>

namespace tsk {

/// An open, regular, non-empty file that starts with a TIFF or BigTIFF signature.
///
/// The constructor throws `Failure`: TSK_OPEN_FAILED (with strerror) if it cannot be opened or is
/// not a regular file, TSK_NOT_TIFF if it is empty or lacks the signature. The descriptor is
/// close-on-exec and closed by the destructor.
class SourceFile {
  public:
    explicit SourceFile(const char *path);
    ~SourceFile();
    SourceFile(const SourceFile &) = delete;
    SourceFile &operator=(const SourceFile &) = delete;

    /// File size in bytes at open time.
    uint64_t size() const noexcept { return size_; }

    /// True if the signature is BigTIFF (II+\0 or MM\0+).
    bool isBigTIFF() const noexcept { return bigTIFF_; }

    /// Reads up to `count` bytes at `offset`, retrying EINTR and short reads. Returns the number of
    /// bytes read (less than `count` only at end of file) or -1 with errno set.
    ssize_t readAt(void *buffer, size_t count, uint64_t offset) const noexcept;

    /// The open descriptor (owned by this object), for a read-only mapping.
    int descriptor() const noexcept { return fd_; }

  private:
    int fd_ = -1;
    uint64_t size_ = 0;
    bool bigTIFF_ = false;
};

} // namespace tsk
#endif
