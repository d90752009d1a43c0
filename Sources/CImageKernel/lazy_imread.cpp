/// Loads libopencv_imgcodecs on first use (see lazy_imread.hpp).
#include "lazy_imread.hpp"

#include <dlfcn.h>

#include <cstdio>
#include <mutex>
#include <string>

#include "kernel_failure.hpp"

namespace tsk {
namespace {

using Imread = cv::Mat (*)(const cv::String &, int);

/// `cv::imread(const cv::String&, int)` as the C++ ABI names it (cv::String is std::string in OpenCV 4).
constexpr const char *imreadSymbol = "_ZN2cv6imreadERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEEi";

struct Loaded {
    Imread function = nullptr;
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
    loaded.function = reinterpret_cast<Imread>(dlsym(handle, imreadSymbol));
    if (loaded.function == nullptr) {
        const char *why = dlerror();
        loaded.error = why != nullptr ? why : "cv::imread not found in libopencv_imgcodecs";
    }
    return loaded;
}

} // namespace

cv::Mat lazyImread(const char *path, int flags) {
    static std::once_flag once;
    static Loaded loaded;
    std::call_once(once, [] { loaded = load(); });
    if (loaded.function == nullptr) fail(TSK_UNSUPPORTED, "cv::imread is unavailable: %s", loaded.error.c_str());
    return loaded.function(cv::String(path), flags);
}

} // namespace tsk
