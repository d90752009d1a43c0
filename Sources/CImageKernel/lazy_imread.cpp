/// Loads libopencv_imgcodecs on first use (see lazy_imread.hpp).
#include "lazy_imread.hpp"

#include <dlfcn.h>

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "kernel_failure.hpp"

namespace tsk {
namespace {

using Imread = cv::Mat (*)(const cv::String &, int);
using ImreadMulti = bool (*)(const cv::String &, std::vector<cv::Mat> &, int, int, int);

/// `cv::imread(const cv::String&, int)` as the C++ ABI names it (cv::String is std::string in OpenCV 4).
constexpr const char *imreadSymbol = "_ZN2cv6imreadERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEEi";
/// `cv::imreadmulti(const cv::String&, std::vector<cv::Mat>&, int start, int count, int flags)`.
constexpr const char *imreadMultiSymbol =
    "_ZN2cv11imreadmultiERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEERSt6vectorINS_3MatESaIS9_EEiii";

struct Loaded {
    Imread function = nullptr;
    ImreadMulti multi = nullptr;
    std::string error;
};

Loaded load() {
    Loaded loaded;
    // The soname of the OpenCV we were compiled against (Debian: libopencv_imgcodecs.so.406), then the
    // full version, then the development symlink.
    char soname[64], full[64];
    std::snprintf(soname, sizeof soname, "libopencv_imgcodecs.so.%d%02d", CV_VERSION_MAJOR, CV_VERSION_MINOR);
    std::snprintf(full, sizeof full, "libopencv_imgcodecs.so.%d.%d.%d", CV_VERSION_MAJOR, CV_VERSION_MINOR,
                  CV_VERSION_REVISION);
    void *handle = nullptr;
    for (const char *name : {static_cast<const char *>(soname), static_cast<const char *>(full), "libopencv_imgcodecs.so"}) {
        handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
        if (handle != nullptr) break;
        const char *why = dlerror();
        loaded.error = why != nullptr ? why : name;
    }
    if (handle == nullptr) return loaded;
    loaded.multi = reinterpret_cast<ImreadMulti>(dlsym(handle, imreadMultiSymbol));
    loaded.function = reinterpret_cast<Imread>(dlsym(handle, imreadSymbol));
    if (loaded.function == nullptr) {
        const char *why = dlerror();
        loaded.error = why != nullptr ? why : "cv::imread not found in libopencv_imgcodecs";
    }
    return loaded;
}

const Loaded &loaded() {
    static std::once_flag once;
    static Loaded loaded;
    std::call_once(once, [] { loaded = load(); });
    return loaded;
}

} // namespace

cv::Mat lazyImread(const char *path, int flags) {
    const Loaded &imgcodecs = loaded();
    if (imgcodecs.function == nullptr) fail(TSK_UNSUPPORTED, "cv::imread is unavailable: %s", imgcodecs.error.c_str());
    return imgcodecs.function(cv::String(path), flags);
}

cv::Mat lazyImreadPage(const char *path, uint32_t start, int flags) {
    const Loaded &imgcodecs = loaded();
    if (imgcodecs.multi == nullptr) fail(TSK_UNSUPPORTED, "cv::imreadmulti is unavailable: %s", imgcodecs.error.c_str());
    if (start > static_cast<uint32_t>(INT32_MAX)) return cv::Mat();
    std::vector<cv::Mat> pages;
    if (!imgcodecs.multi(cv::String(path), pages, static_cast<int>(start), 1, flags) || pages.size() != 1) return cv::Mat();
    return pages[0];
}

} // namespace tsk
