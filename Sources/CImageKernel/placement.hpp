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

/// Where a w x h page goes for `output`: the size it is resized to, its offset in the row (fit: >= 0;
/// crop: <= 0) and the rows of the resized image that end up in the row.
struct Geometry {
    uint32_t resizedWidth, resizedHeight;
    int32_t offsetX, offsetY;
    uint32_t firstRow, rows;
};

/// The README's formulas: stretch to W x H; fit s = min(W/w, H/h), crop s = max(W/w, H/h), sides
/// max(1, floor(x s + 0.5)) (crop: at least W x H), centred with floor((W - nw) / 2).
Geometry placementGeometry(uint32_t w, uint32_t h, const tsk_output &output) noexcept;

/// Resizes `image` (already of `outputType(output)`) into `destination` per `output.resize` and says
/// where it landed. `max_pixels` bounds the intermediate of `crop` (TSK_TOO_LARGE beyond).
void placeInto(const cv::Mat &image, const tsk_output &output, void *destination, tsk_placement *placement);

} // namespace tsk
#endif
