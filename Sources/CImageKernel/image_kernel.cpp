/// The C boundary of the image kernel: argument checks, status mapping, exception containment.
#include "image_kernel.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>

#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>

#include "direct_decoder.hpp"
#include "kernel_failure.hpp"
#include "pixel_convert.hpp"
#include "resize_into.hpp"
#include "tiff_messages.hpp"
#include "tiff_reader.hpp"

namespace tsk {

void fail(tsk_status status, const char *format, ...) {
    char message[1024];
    va_list args;
    va_start(args, format);
    std::vsnprintf(message, sizeof message, format, args);
    va_end(args);
    throw Failure(status, message);
}

} // namespace tsk

namespace {

/// Per-thread scratch: the decoded gray image and the decoded strips/tiles before conversion.
thread_local tsk::ScratchBuffer grayScratch;
thread_local tsk::ScratchBuffer rawScratch;

void writeError(char *error, size_t capacity, const char *message) {
    if (capacity == 0) return;
    std::snprintf(error, capacity, "%s", message);
}

/// Runs `body`, mapping every exception to a status and a message: nothing crosses into C or Swift.
template <typename Body> tsk_status guarded(char *error, size_t capacity, Body &&body) noexcept {
    try {
        body();
        writeError(error, capacity, "");
        return TSK_OK;
    } catch (const tsk::Failure &failure) {
        writeError(error, capacity, failure.what());
        return failure.status();
    } catch (const cv::Exception &exception) {
        if (exception.code == cv::Error::StsNoMem) {
            writeError(error, capacity, "allocation failed in OpenCV");
            return TSK_OUT_OF_MEMORY;
        }
        char message[512];
        std::snprintf(message, sizeof message, "OpenCV error in %s: %s", exception.func.c_str(), exception.err.c_str());
        writeError(error, capacity, message);
        return TSK_INTERNAL;
    } catch (const std::bad_alloc &) {
        writeError(error, capacity, "allocation failed (std::bad_alloc)");
        return TSK_OUT_OF_MEMORY;
    } catch (const std::exception &exception) {
        writeError(error, capacity, exception.what());
        return TSK_INTERNAL;
    } catch (...) {
        writeError(error, capacity, "unknown C++ exception");
        return TSK_INTERNAL;
    }
}

/// Reads the page-0 layout into `info`, enforces the pixel limit and rejects layouts nobody decodes.
tsk::Layout readHeader(const tsk::TiffReader &reader, uint64_t max_pixels, tsk_info *info) {
    tsk::Layout layout = reader.layout();
    tsk::fillInfo(layout, info);
    tsk::checkPixelLimit(layout, max_pixels);
    info->pages = reader.pageCount();
    info->used_fallback = tsk::isDirectlyDecodable(layout) ? 0 : 1;
    if (info->used_fallback) {
        // cv::imread(IMREAD_GRAYSCALE) decodes through TIFFRGBAImage and gives up when this check
        // fails (float, 32-bit...). Asking first gives libtiff's reason and spares a second open.
        char reason[1024] = "";
        if (!TIFFRGBAImageOK(reader.handle(), reason)) {
            char description[160];
            tsk::describeLayout(layout, description, sizeof description);
            tsk::fail(TSK_UNSUPPORTED, "unsupported layout (%s): %s", description, reason);
        }
        // OpenCV 4.6 sizes its strip buffer from RowsPerStrip as declared (it clamps only 2^32-1, not
        // values past the height) at 4 bytes per pixel: a 96x13 file declaring 8388621 rows per strip
        // makes cv::imread reserve 3 GiB. Refuse before asking it, with libtiff's allocation budget.
        uint32_t declaredRows = 0;
        if (max_pixels > 0 && !layout.tiled && TIFFGetField(reader.handle(), TIFFTAG_ROWSPERSTRIP, &declaredRows) &&
            declaredRows != UINT32_MAX && declaredRows > layout.height) {
            const uint64_t planned = UINT64_C(4) * layout.width * declaredRows;
            if (planned > tsk::singleAllocationBudget(max_pixels)) {
                tsk::fail(TSK_TOO_LARGE, "declares %u rows per strip for a %ux%u image: cv::imread would allocate %llu bytes",
                          declaredRows, layout.width, layout.height, static_cast<unsigned long long>(planned));
            }
        }
    }
    reader.checkBlocks(layout);
    return layout;
}

} // namespace

extern "C" {

void tsk_init(void) {
    static std::once_flag once;
    std::call_once(once, [] {
        try {
            cv::setNumThreads(0);
            // Per-file problems are reported through statuses; OpenCV warnings would only add noise.
            cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
        } catch (...) {
        }
        tsk::installGlobalTiffHandlers();
        tsk::prepareConversionTables();
    });
}

tsk_status tsk_probe(const char *path, uint64_t max_pixels, tsk_info *info, char *error, size_t error_capacity) {
    std::memset(info, 0, sizeof *info);
    return guarded(error, error_capacity, [&] {
        tsk::SourceFile file(path);
        tsk::TiffReader reader(file, max_pixels);
        readHeader(reader, max_pixels, info);
    });
}

tsk_status tsk_decode_resize(const char *path, uint8_t *destination, int32_t dst_width, int32_t dst_height,
                             tsk_interpolation interpolation, uint64_t max_pixels, tsk_info *info, char *error,
                             size_t error_capacity) {
    std::memset(info, 0, sizeof *info);
    return guarded(error, error_capacity, [&] {
        tsk::checkResizeArguments(dst_width, dst_height, interpolation);
        char description[160] = "";
        {
            tsk::SourceFile file(path);
            tsk::TiffReader reader(file, max_pixels);
            tsk::Layout layout = readHeader(reader, max_pixels, info);
            if (!info->used_fallback) {
                uint8_t *gray = grayScratch.reserve(layout.pixels());
                tsk::decodeDirect(reader.handle(), layout, gray, rawScratch, max_pixels);
                cv::Mat source(static_cast<int>(layout.height), static_cast<int>(layout.width), CV_8UC1, gray);
                tsk::resizeInto(source, destination, dst_width, dst_height, interpolation);
                return;
            }
            tsk::describeLayout(layout, description, sizeof description);
        } // the file is closed before cv::imread opens it again
        tsk::decodeWithOpenCV(path, description, destination, dst_width, dst_height, interpolation);
    });
}

// Interim: the default output format only (page 0, uint8 gray, stretch); the other modes come next.
tsk_status tsk_decode(const char *path, uint32_t page, const tsk_output *output, void *destination, tsk_info *info,
                      tsk_placement *placement, char *error, size_t error_capacity) {
    std::memset(placement, 0, sizeof *placement);
    if (page != 0 || output->dtype != TSK_DTYPE_UINT8 || output->color != TSK_COLOR_GRAY ||
        output->resize != TSK_RESIZE_STRETCH) {
        std::memset(info, 0, sizeof *info);
        writeError(error, error_capacity, "output mode not implemented yet");
        return TSK_UNSUPPORTED;
    }
    placement->resized_width = static_cast<uint32_t>(output->width);
    placement->resized_height = static_cast<uint32_t>(output->height);
    return tsk_decode_resize(path, static_cast<uint8_t *>(destination), output->width, output->height,
                             output->interpolation, output->max_pixels, info, error, error_capacity);
}

tsk_status tsk_reference_decode(const char *path, uint32_t page, const tsk_output *output, void *destination,
                                tsk_placement *placement, char *error, size_t error_capacity) {
    std::memset(placement, 0, sizeof *placement);
    if (page != 0 || output->dtype != TSK_DTYPE_UINT8 || output->color != TSK_COLOR_GRAY ||
        output->resize != TSK_RESIZE_STRETCH) {
        writeError(error, error_capacity, "output mode not implemented yet");
        return TSK_UNSUPPORTED;
    }
    return tsk_reference_decode_resize(path, static_cast<uint8_t *>(destination), output->width, output->height,
                                       output->interpolation, error, error_capacity);
}

tsk_status tsk_reference_decode_resize(const char *path, uint8_t *destination, int32_t dst_width, int32_t dst_height,
                                       tsk_interpolation interpolation, char *error, size_t error_capacity) {
    return guarded(error, error_capacity, [&] {
        tsk::checkResizeArguments(dst_width, dst_height, interpolation);
        tsk::decodeWithOpenCV(path, nullptr, destination, dst_width, dst_height, interpolation);
    });
}

} // extern "C"
