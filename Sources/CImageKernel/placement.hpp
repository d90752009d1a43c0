/// The last step of every decode: `cv::resize` of the decoded page into the caller's row, stretched,
/// fitted on a padded canvas or cropped to the centre, exactly as the README's formulas say.
#ifndef TIFFSHARD_PLACEMENT_HPP
#define TIFFSHARD_PLACEMENT_HPP

#include <opencv2/core.hpp>

#include "image_kernel.h"

namespace tsk {

/// The OpenCV type of one output row pixel: depth of `dtype`, 1 or 3 channels.
int outputType(const tsk_output &output) noexcept;

/// Throws TSK_INTERNAL for an output that cannot be (size, enum values, a pad value the dtype cannot
/// hold, a page other than 0 with TSK_PAGES_FIRST).
void checkOutput(const tsk_output &output, uint32_t page);

/// Resizes `image` (already of `outputType(output)`) into `destination` per `output.resize` and says
/// where it landed. `max_pixels` bounds the intermediate of `crop` (TSK_TOO_LARGE beyond).
void placeInto(const cv::Mat &image, const tsk_output &output, void *destination, tsk_placement *placement);

} // namespace tsk
#endif
