/// cv::resize into caller memory and the cv::imread fallback (see resize_into.hpp).
#include "resize_into.hpp"

#include <opencv2/imgcodecs.hpp> // IMREAD_* constants only; the library is loaded lazily
#include <opencv2/imgproc.hpp>

#include "kernel_failure.hpp"
#include "lazy_imread.hpp"
#include "tiff_messages.hpp"

namespace tsk {

int openCVInterpolation(tsk_interpolation interpolation) noexcept {
    switch (interpolation) {
    case TSK_INTER_LINEAR: return cv::INTER_LINEAR;
    case TSK_INTER_AREA: return cv::INTER_AREA;
    case TSK_INTER_NEAREST: return cv::INTER_NEAREST;
    case TSK_INTER_CUBIC: return cv::INTER_CUBIC;
    case TSK_INTER_LANCZOS: return cv::INTER_LANCZOS4;
    }
    return -1;
}

void checkResizeArguments(int32_t width, int32_t height, tsk_interpolation interpolation) {
    if (width <= 0 || height <= 0) fail(TSK_INTERNAL, "invalid destination size %dx%d", width, height);
    if (openCVInterpolation(interpolation) < 0)
        fail(TSK_INTERNAL, "unknown interpolation %d", static_cast<int>(interpolation));
}

void resizeInto(const cv::Mat &source, uint8_t *destination, int32_t width, int32_t height,
                tsk_interpolation interpolation) {
    cv::Mat target(height, width, CV_8UC1, destination);
    cv::resize(source, target, target.size(), 0, 0, openCVInterpolation(interpolation));
    // create() keeps a matching wrapped Mat; if it ever reallocated, the caller's buffer is stale.
    if (target.data != destination) fail(TSK_INTERNAL, "cv::resize did not write into the destination");
}

void decodeWithOpenCV(const char *path, const char *description, uint8_t *destination, int32_t width,
                      int32_t height, tsk_interpolation interpolation) {
    resetTiffMessages();
    cv::Mat image = lazyImread(path, cv::IMREAD_GRAYSCALE);
    if (image.empty()) {
        const char *layout = description != nullptr && description[0] != '\0' ? description : "this file";
        const char *reason = tiffMessages();
        if (reason[0] != '\0') fail(TSK_DECODE_FAILED, "cv::imread cannot decode %s: %s", layout, reason);
        fail(TSK_UNSUPPORTED, "neither the direct decoder nor cv::imread handles %s", layout);
    }
    resizeInto(image, destination, width, height, interpolation);
}

} // namespace tsk
