/// Copies out of a read-only mapping of the source file, surviving the file shrinking meanwhile.
///
/// Reading uncompressed rows through a mapping costs page faults (the kernel maps 16 pages per fault)
/// instead of one `pread` per run of rows. A mapped file that is truncated while it is read raises
/// SIGBUS; inside `guardedCopy` a handler turns that into a failure of this decode ("the file shrank
/// while being read"), which the worker reports as a changed file, as it does for any rewrite.
#ifndef TIFFSHARD_MAPPED_COPY_HPP
#define TIFFSHARD_MAPPED_COPY_HPP

#include <cstddef>
#include <cstdint>

namespace tsk {

/// Installs the process's SIGBUS handler (once; from `tsk_init`). Outside a guarded copy it restores
/// the default action and re-raises: a SIGBUS anywhere else still ends the process.
void installMappedCopyGuard() noexcept;

/// A read-only mapping of bytes [offset, offset + length) of a file descriptor, unmapped on destruction.
class FileMapping {
  public:
    /// Maps the range; `valid()` is false if the kernel refuses (address-space limit, ...): callers then
    /// read with pread instead.
    FileMapping(int fd, uint64_t offset, uint64_t length) noexcept;
    ~FileMapping();
    FileMapping(const FileMapping &) = delete;
    FileMapping &operator=(const FileMapping &) = delete;

    bool valid() const noexcept { return base_ != nullptr; }
    /// The byte at file offset `offset` (inside the mapped range).
    const uint8_t *at(uint64_t offset) const noexcept { return base_ + (offset - start_); }

  private:
    uint8_t *region_ = nullptr; ///< page-aligned start of the mapping
    size_t regionLength_ = 0;
    const uint8_t *base_ = nullptr;
    uint64_t start_ = 0;
};

/// One copy of a guarded batch: `length` bytes from `from` (inside a FileMapping) to `to`.
struct CopyRun {
    const uint8_t *from;
    uint8_t *to;
    size_t length;
};

/// Performs the copies; returns false if the mapping's file shrank under them (SIGBUS), in which case
/// the destination holds a partial copy.
bool guardedCopy(const CopyRun *runs, size_t count) noexcept;

} // namespace tsk
#endif
