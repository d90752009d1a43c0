/// Stretch, fit and crop (see placement.hpp).
#include "placement.hpp"

#include <cmath>
#include <opencv2/imgproc.hpp>

#include "kernel_failure.hpp"
#include "resize_into.hpp"
#include "tiff_reader.hpp"

namespace tsk {
namespace {

int depthOf(tsk_dtype dtype) noexcept {
    switch (dtype) {
    case TSK_DTYPE_UINT8: return CV_8U;
    case TSK_DTYPE_UINT16: return CV_16U;
    case TSK_DTYPE_FLOAT32: return CV_32F;
    }
    return -1;
}

/// `max(1, floor(x * s + 0.5))` for a side of `x` pixels.
uint32_t scaled(uint32_t x, double s) noexcept {
    const double v = std::floor(static_cast<double>(x) * s + 0.5);
    return v < 1 ? 1 : v > 1e9 ? 1000000000u : static_cast<uint32_t>(v);
}

thread_local cv::Mat cropScratch;

} // namespace

int outputType(const tsk_output &output) noexcept {
    return CV_MAKETYPE(depthOf(output.dtype), output.color == TSK_COLOR_RGB ? 3 : 1);
}

void checkOutput(const tsk_output &output, uint32_t page) {
    checkResizeArguments(output.width, output.height, output.interpolation);
    if (depthOf(output.dtype) < 0) fail(TSK_INTERNAL, "unknown dtype %d", static_cast<int>(output.dtype));
    if (output.color != TSK_COLOR_GRAY && output.color != TSK_COLOR_RGB)
        fail(TSK_INTERNAL, "unknown color %d", static_cast<int>(output.color));
    if (output.resize != TSK_RESIZE_STRETCH && output.resize != TSK_RESIZE_FIT && output.resize != TSK_RESIZE_CROP)
        fail(TSK_INTERNAL, "unknown resize mode %d", static_cast<int>(output.resize));
    if (output.pages != TSK_PAGES_FIRST && output.pages != TSK_PAGES_ALL)
        fail(TSK_INTERNAL, "unknown pages mode %d", static_cast<int>(output.pages));
    if (output.pages == TSK_PAGES_FIRST && page != 0) fail(TSK_INTERNAL, "page %u asked with pages: first", page);
    const double pad = output.pad_value;
    const double most = output.dtype == TSK_DTYPE_UINT8 ? 255 : output.dtype == TSK_DTYPE_UINT16 ? 65535 : 0;
    if (!std::isfinite(pad) || (most > 0 && (pad < 0 || pad > most || pad != std::floor(pad))))
        fail(TSK_INTERNAL, "pad value %g does not fit the dtype", pad);
}

Geometry placementGeometry(uint32_t w, uint32_t h, const tsk_output &output) noexcept {
    const uint32_t W = static_cast<uint32_t>(output.width), H = static_cast<uint32_t>(output.height);
    const double sx = static_cast<double>(W) / w, sy = static_cast<double>(H) / h;
    switch (output.resize) {
    case TSK_RESIZE_FIT: {
        const double s = std::min(sx, sy);
        const uint32_t nw = std::min(W, scaled(w, s)), nh = std::min(H, scaled(h, s));
        return {nw, nh, static_cast<int32_t>((W - nw) / 2), static_cast<int32_t>((H - nh) / 2), 0, nh};
    }
    case TSK_RESIZE_CROP: {
        const double s = std::max(sx, sy);
        const uint32_t nw = std::max(W, scaled(w, s)), nh = std::max(H, scaled(h, s));
        const uint32_t x = (nw - W) / 2, y = (nh - H) / 2;
        return {nw, nh, -static_cast<int32_t>(x), -static_cast<int32_t>(y), y, H};
    }
    default:
        return {W, H, 0, 0, 0, H};
    }
}

void placeInto(const cv::Mat &image, const tsk_output &output, void *destination, tsk_placement *placement) {
    const int type = outputType(output);
    if (image.type() != type) fail(TSK_INTERNAL, "decoded image of type %d, expected %d", image.type(), type);
    const uint32_t W = static_cast<uint32_t>(output.width), H = static_cast<uint32_t>(output.height);
    const uint32_t w = static_cast<uint32_t>(image.cols), h = static_cast<uint32_t>(image.rows);
    cv::Mat row(static_cast<int>(H), static_cast<int>(W), type, destination);
    const int interpolation = openCVInterpolation(output.interpolation);
    const Geometry g = placementGeometry(w, h, output);
    switch (output.resize) {
    case TSK_RESIZE_FIT: {
        const uint32_t nw = g.resizedWidth, nh = g.resizedHeight;
        const uint32_t x = static_cast<uint32_t>(g.offsetX), y = static_cast<uint32_t>(g.offsetY);
        *placement = {nw, nh, g.offsetX, g.offsetY};
        row.setTo(cv::Scalar::all(output.pad_value));
        cv::Mat window = row(cv::Rect(static_cast<int>(x), static_cast<int>(y), static_cast<int>(nw), static_cast<int>(nh)));
        cv::resize(image, window, window.size(), 0, 0, interpolation);
        if (window.data != row.data + y * row.step[0] + x * row.elemSize()) fail(TSK_INTERNAL, "cv::resize reallocated");
        break;
    }
    case TSK_RESIZE_CROP: {
        const uint32_t nw = g.resizedWidth, nh = g.resizedHeight;
        const uint64_t bytes = uint64_t(nw) * nh * row.elemSize();
        if (bytes > (uint64_t(1) << 31))
            fail(TSK_TOO_LARGE, "cropping a %ux%u page to %ux%u resizes it to %ux%u first (%llu bytes)", w, h, W, H, nw, nh,
                 static_cast<unsigned long long>(bytes));
        const uint32_t x = static_cast<uint32_t>(-g.offsetX), y = static_cast<uint32_t>(-g.offsetY);
        *placement = {nw, nh, g.offsetX, g.offsetY};
        cv::resize(image, cropScratch, cv::Size(static_cast<int>(nw), static_cast<int>(nh)), 0, 0, interpolation);
        cropScratch(cv::Rect(static_cast<int>(x), static_cast<int>(y), static_cast<int>(W), static_cast<int>(H))).copyTo(row);
        break;
    }
    default:
        *placement = {W, H, 0, 0};
        cv::resize(image, row, row.size(), 0, 0, interpolation);
        break;
    }
    if (row.data != destination) fail(TSK_INTERNAL, "cv::resize did not write into the destination");
}

} // namespace tsk
