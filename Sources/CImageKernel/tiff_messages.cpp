/// Per-thread capture of libtiff errors (see tiff_messages.hpp).
#include "tiff_messages.hpp"

#include <cstdio>
#include <cstring>

namespace tsk {
namespace {

/// Trivially constructible, so the thread_local costs no initialisation guard.
struct MessageBuffer {
    char text[768];
    size_t length;
};

thread_local MessageBuffer messages;

void append(const char *module, const char *format, va_list args) noexcept {
    MessageBuffer &buffer = messages;
    size_t capacity = sizeof buffer.text;
    if (buffer.length + 4 >= capacity) return;
    if (buffer.length > 0) {
        std::memcpy(buffer.text + buffer.length, "; ", 3);
        buffer.length += 2;
    }
    int used = 0;
    if (module != nullptr && module[0] != '\0') {
        used = std::snprintf(buffer.text + buffer.length, capacity - buffer.length, "%s: ", module);
        if (used < 0) used = 0;
    }
    if (buffer.length + used < capacity) {
        std::vsnprintf(buffer.text + buffer.length + used, capacity - buffer.length - used, format, args);
    }
    buffer.length = std::strlen(buffer.text);
}

void captureGlobalError(thandle_t, const char *module, const char *format, va_list args) {
    append(module, format, args);
}

} // namespace

void resetTiffMessages() noexcept {
    messages.length = 0;
    messages.text[0] = '\0';
}

const char *tiffMessages() noexcept {
    messages.text[messages.length < sizeof messages.text ? messages.length : sizeof messages.text - 1] = '\0';
    return messages.text;
}

int captureTiffError(TIFF *, void *, const char *module, const char *format, va_list args) {
    append(module, format, args);
    return 1;
}

int dropTiffWarning(TIFF *, void *, const char *, const char *, va_list) { return 1; }

void installGlobalTiffHandlers() noexcept {
    // The plain handlers print to stderr by default; OpenCV may later install its own (silent unless
    // its log level is DEBUG). The Ext handler is called in addition and feeds our buffer.
    TIFFSetErrorHandler(nullptr);
    TIFFSetWarningHandler(nullptr);
    TIFFSetErrorHandlerExt(captureGlobalError);
    TIFFSetWarningHandlerExt(nullptr);
}

} // namespace tsk
