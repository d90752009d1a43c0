/// Which source rows `cv::resize` reads: with INTER_NEAREST and INTER_LINEAR a strong downscale reads
/// only some rows (2 of every 8 for 2048 -> 256 linear), so the strips holding none of them need not
/// be decoded, and uncompressed rows need not be read.
#ifndef TIFFSHARD_ROW_NEEDS_HPP
#define TIFFSHARD_ROW_NEEDS_HPP

#include <cstdint>
#include <vector>

#include "image_kernel.h"

namespace tsk {

/// The rows of a w x h page that `cv::resize` to nw x nh with `interpolation` reads to produce output
/// rows [y0, y1) (a crop keeps only those), computed with OpenCV 4.6's own index arithmetic
/// (imgproc/src/resize.cpp: `resizeNN`'s `cvFloor(y * ify)`, the generic linear path's
/// `cvFloor((dy + 0.5) * scale_y - 0.5)` and its row clipping; an exact 2x linear downscale is area).
/// Empty means every row (other interpolations, a copy, or no row to skip). Rows outside the set are
/// never read by `cv::resize`, so their content does not matter.
struct RowNeeds {
    std::vector<uint8_t> rows; ///< one flag per source row; empty: all rows

    bool all() const noexcept { return rows.empty(); }
    bool needs(uint64_t row) const noexcept { return rows.empty() || rows[row] != 0; }
    /// Whether any row of [first, first + count) is needed.
    bool needsAny(uint64_t first, uint64_t count) const noexcept;
};

RowNeeds rowsRead(uint32_t w, uint32_t h, uint32_t nw, uint32_t nh, uint32_t y0, uint32_t y1,
                  tsk_interpolation interpolation);

/// The rows the placement of `output` reads from a w x h page (stretch, fit or crop geometry).
RowNeeds rowsRead(uint32_t w, uint32_t h, const tsk_output &output);

} // namespace tsk
#endif
