/// A growable, reusable byte buffer: the per-thread scratch of the decoder (no per-image heap churn).
#ifndef TIFFSHARD_SCRATCH_BUFFER_HPP
#define TIFFSHARD_SCRATCH_BUFFER_HPP

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

#include "kernel_failure.hpp"

namespace tsk {

/// Keeps its allocation between images; grows when needed, and gives memory back only after an
/// unusually large image (over 256 MiB held while a quarter of it suffices).
class ScratchBuffer {
  public:
    /// Returns at least `bytes` uninitialised bytes, valid until the next call.
    uint8_t *reserve(size_t bytes) {
        bool oversized = capacity_ > kShrinkAbove && bytes < capacity_ / 4;
        if (bytes <= capacity_ && !oversized) return data_.get();
        data_.reset();
        capacity_ = 0;
        size_t rounded = (bytes + kGranule - 1) / kGranule * kGranule;
        data_.reset(new (std::nothrow) uint8_t[rounded]);
        if (!data_) fail(TSK_OUT_OF_MEMORY, "cannot allocate %zu bytes of scratch memory", rounded);
        capacity_ = rounded;
        return data_.get();
    }

  private:
    static constexpr size_t kGranule = size_t(64) << 10;
    static constexpr size_t kShrinkAbove = size_t(256) << 20;
    std::unique_ptr<uint8_t[]> data_;
    size_t capacity_ = 0;
};

} // namespace tsk
#endif
