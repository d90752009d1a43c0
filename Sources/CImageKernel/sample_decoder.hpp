/// Decode of a directory's samples as stored, by value: no conversion, no RGBA detour.
#ifndef TIFFSHARD_SAMPLE_DECODER_HPP
#define TIFFSHARD_SAMPLE_DECODER_HPP

#include <cstdint>
#include <opencv2/core.hpp>
#include <tiffio.h>

#include "row_needs.hpp"
#include "scratch_buffer.hpp"
#include "tiff_reader.hpp"

namespace tsk {

/// The OpenCV depth holding this layout's samples as stored (CV_8U, 8S, 16U, 16S, 16F, 32S, 32F, 64F),
/// or -1 if there is none (unsigned 32-bit samples use CV_32S storage: see `decodeSamples`); also -1
/// for bit depths other than 8, 16, 32, 64.
int storageDepth(const Layout &layout) noexcept;

/// Decodes the current directory into an h x w Mat with one channel per sample (interleaved, planes
/// gathered), samples as stored, in native byte order. Unsigned 32-bit samples come back in a CV_32S
/// Mat holding the unsigned bits. Orientation must be top-left (TSK_UNSUPPORTED otherwise), the
/// codec configured. libtiff errors are TSK_DECODE_FAILED; a block or image over the budget is
/// TSK_TOO_LARGE. Strips of contiguous data are decoded straight into the image.
/// Strips and tile rows holding none of `needs`' rows are not decoded; their rows are zero.
cv::Mat decodeSamples(TIFF *tif, const Layout &layout, ScratchBuffer &raw, uint64_t max_pixels,
                      const RowNeeds &needs = RowNeeds());

/// The samples of `decoded` as float32 by value (uint32 bits read as unsigned).
cv::Mat samplesToFloat(const cv::Mat &decoded, const Layout &layout);

} // namespace tsk
#endif
