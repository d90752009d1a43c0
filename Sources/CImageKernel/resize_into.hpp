/// OpenCV steps of the kernel: resizing into the caller's buffer and the cv::imread fallback.
#ifndef TIFFSHARD_RESIZE_INTO_HPP
#define TIFFSHARD_RESIZE_INTO_HPP

#include <cstdint>
#include <opencv2/core.hpp>

#include "image_kernel.h"

namespace tsk {

/// The cv::INTER_* value of `interpolation`, -1 if unknown.
int openCVInterpolation(tsk_interpolation interpolation) noexcept;

/// Throws TSK_INTERNAL for a non-positive destination size or an unknown interpolation.
void checkResizeArguments(int32_t width, int32_t height, tsk_interpolation interpolation);

/// `cv::resize` of an 8-bit gray `source` into a cv::Mat that wraps `destination` (no copy).
void resizeInto(const cv::Mat &source, uint8_t *destination, int32_t width, int32_t height,
                tsk_interpolation interpolation);

/// `cv::imread(path, IMREAD_GRAYSCALE)` then `resizeInto`. If imread fails: TSK_DECODE_FAILED with
/// libtiff's captured errors when there are some, else TSK_UNSUPPORTED. `description` (may be null)
/// names the layout in messages.
void decodeWithOpenCV(const char *path, const char *description, uint8_t *destination, int32_t width,
                      int32_t height, tsk_interpolation interpolation);

} // namespace tsk
#endif
