/// Capture of libtiff errors into a per-thread buffer, so nothing is printed to stderr and a failure
/// can carry libtiff's own explanation.
#ifndef TIFFSHARD_TIFF_MESSAGES_HPP
#define TIFFSHARD_TIFF_MESSAGES_HPP

#include <cstdarg>
#include <tiffio.h>

namespace tsk {

/// Forgets the messages captured so far on this thread (call before each libtiff operation).
void resetTiffMessages() noexcept;

/// The libtiff errors captured on this thread since the last reset, "; "-separated ("" if none).
const char *tiffMessages() noexcept;

/// Per-TIFF error handler for `TIFFOpenOptionsSetErrorHandlerExtR`: captures and stops propagation.
int captureTiffError(TIFF *tif, void *user_data, const char *module, const char *format, va_list args);

/// Per-TIFF warning handler: warnings are dropped (they never change what we decode).
int dropTiffWarning(TIFF *tif, void *user_data, const char *module, const char *format, va_list args);

/// Installs process-wide handlers so libtiff errors raised inside `cv::imread` are captured too and
/// nothing is printed. Called by `tsk_init`.
void installGlobalTiffHandlers() noexcept;

} // namespace tsk
#endif
