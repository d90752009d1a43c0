/// cv::imread, loaded on first use: libopencv_imgcodecs pulls in ~120 shared objects (GDAL, poppler,
/// codecs) that cost every process ~50 ms and ~40 MiB at start-up, and only the fallback path needs it.
#pragma once

#include <opencv2/core.hpp>

namespace tsk {

/// `cv::imread(path, flags)` from a dlopen'ed libopencv_imgcodecs; fails (TSK_UNSUPPORTED) if it
/// cannot be loaded.
cv::Mat lazyImread(const char *path, int flags);

} // namespace tsk
