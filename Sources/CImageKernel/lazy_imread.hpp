/// cv::imread, loaded on first use: libopencv_imgcodecs pulls in ~120 shared objects (GDAL, poppler,
/// codecs) that cost every process ~50 ms and ~40 MiB at start-up, and only the fallback path needs it.
#pragma once

#include <opencv2/core.hpp>

namespace tsk {

/// `cv::imread(path, flags)` from a dlopen'ed libopencv_imgcodecs; fails (TSK_UNSUPPORTED) if it
/// cannot be loaded.
cv::Mat lazyImread(const char *path, int flags);

/// `cv::imreadmulti(path, mats, start, 1, flags)`: directory `start` alone (an empty Mat if it fails).
cv::Mat lazyImreadPage(const char *path, uint32_t start, int flags);

} // namespace tsk
