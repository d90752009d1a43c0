/// OpenCV 4.6's row arithmetic of cv::resize (see row_needs.hpp).
#include "row_needs.hpp"

#include <cfloat>
#include <cmath>

#include "placement.hpp"

namespace tsk {
namespace {

/// `cvFloor` of a float as OpenCV computes it.
inline int floorOf(float value) noexcept {
    int i = static_cast<int>(value);
    return i - (static_cast<float>(i) > value);
}

inline int floorOf(double value) noexcept {
    int i = static_cast<int>(value);
    return i - (static_cast<double>(i) > value);
}

} // namespace

bool RowNeeds::needsAny(uint64_t first, uint64_t count) const noexcept {
    if (rows.empty()) return true;
    for (uint64_t r = first; r < first + count && r < rows.size(); r++)
        if (rows[r]) return true;
    return false;
}

RowNeeds rowsRead(uint32_t w, uint32_t h, uint32_t nw, uint32_t nh, uint32_t y0, uint32_t y1,
                  tsk_interpolation interpolation) {
    RowNeeds needs;
    if ((nw == w && nh == h) || h < 4 || y0 >= y1 || y1 > nh) return needs; // a copy, or nothing to gain
    const double inv_scale_x = static_cast<double>(nw) / w, inv_scale_y = static_cast<double>(nh) / h;
    std::vector<uint8_t> rows(h, 0);
    const int last = static_cast<int>(h) - 1;
    if (interpolation == TSK_INTER_NEAREST) {
        const double ify = 1. / inv_scale_y;
        for (uint32_t dy = y0; dy < y1; dy++) {
            int sy = floorOf(dy * ify);
            rows[sy < last ? sy : last] = 1;
        }
    } else if (interpolation == TSK_INTER_LINEAR) {
        const double scale_x = 1. / inv_scale_x, scale_y = 1. / inv_scale_y;
        const double iscale_x = std::nearbyint(scale_x), iscale_y = std::nearbyint(scale_y);
        const bool areaFast = std::abs(scale_x - iscale_x) < DBL_EPSILON && std::abs(scale_y - iscale_y) < DBL_EPSILON;
        if (areaFast && iscale_x == 2 && iscale_y == 2) return needs; // OpenCV switches to INTER_AREA
        for (uint32_t dy = y0; dy < y1; dy++) {
            const float fy = static_cast<float>((dy + 0.5) * scale_y - 0.5);
            const int sy = floorOf(fy);
            for (int k = 0; k < 2; k++) {
                const int row = sy + k;
                rows[row < 0 ? 0 : row > last ? last : row] = 1;
            }
        }
    } else {
        return needs;
    }
    for (uint8_t flag : rows)
        if (!flag) {
            needs.rows = std::move(rows);
            break;
        }
    return needs;
}

RowNeeds rowsRead(uint32_t w, uint32_t h, const tsk_output &output) {
    const Geometry g = placementGeometry(w, h, output);
    return rowsRead(w, h, g.resizedWidth, g.resizedHeight, g.firstRow, g.firstRow + g.rows, output.interpolation);
}

} // namespace tsk
