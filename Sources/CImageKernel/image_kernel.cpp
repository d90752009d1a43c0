/// The C boundary of the image kernel: argument checks, status mapping, exception containment.
#include "image_kernel.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>

#include "direct_decoder.hpp"
#include "mapped_copy.hpp"
#include "output_modes.hpp"
#include "page_list.hpp"
#include "placement.hpp"
#include "kernel_failure.hpp"
#include "pixel_convert.hpp"
#include "resize_into.hpp"
#include "row_needs.hpp"
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
/// `rgbaRoute`: cv::imread would decode a fallback through TIFFRGBAImage (8-bit output), whose own
/// check gives the better reason for layouts it refuses.
tsk::Layout readHeader(const tsk::TiffReader &reader, uint64_t max_pixels, tsk_info *info, bool rgbaRoute = true) {
    tsk::Layout layout = reader.layout();
    tsk::fillInfo(layout, info);
    tsk::checkPixelLimit(layout, max_pixels);
    info->sample_format = layout.sampleFormat;
    info->photometric = layout.hasPhotometric ? layout.photometric : 0xFFFF;
    // libtiff's RGBA reader (cv::imread's 8-bit path) does not check for the codec: without it the
    // decode fails, the error is ignored and a zeroed buffer comes back as a black image. Refuse first.
    if (!TIFFIsCODECConfigured(layout.compression)) {
        tsk::fail(TSK_UNSUPPORTED, "compression %u (%s) is not available in this libtiff", layout.compression,
                  tsk::compressionName(layout.compression));
    }
    info->used_fallback = tsk::isDirectlyDecodable(layout) ? 0 : 1;
    if (info->used_fallback) {
        // cv::imread(IMREAD_GRAYSCALE) decodes through TIFFRGBAImage and gives up when this check
        // fails (float, 32-bit...). Asking first gives libtiff's reason and spares a second open.
        char reason[1024] = "";
        if (rgbaRoute && !TIFFRGBAImageOK(reader.handle(), reason)) {
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
        tsk::installMappedCopyGuard();
        tsk::prepareConversionTables();
    });
}

tsk_status tsk_probe(const char *path, uint64_t max_pixels, tsk_info *info, char *error, size_t error_capacity) {
    std::memset(info, 0, sizeof *info);
    return guarded(error, error_capacity, [&] {
        tsk::SourceFile file(path);
        tsk::TiffReader reader(file, max_pixels);
        readHeader(reader, max_pixels, info);
        info->pages = static_cast<uint32_t>(tsk::listPages(file).size());
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
            info->pages = static_cast<uint32_t>(tsk::listPages(file).size());
            if (!info->used_fallback) {
                uint8_t *gray = grayScratch.reserve(layout.pixels());
                tsk::decodeDirect(reader.handle(), layout, gray, rawScratch, max_pixels,
                                  tsk::rowsRead(layout.width, layout.height, static_cast<uint32_t>(dst_width),
                                                static_cast<uint32_t>(dst_height), 0,
                                                static_cast<uint32_t>(dst_height), interpolation));
                cv::Mat source(static_cast<int>(layout.height), static_cast<int>(layout.width), CV_8UC1, gray);
                tsk::resizeInto(source, destination, dst_width, dst_height, interpolation);
                return;
            }
            tsk::describeLayout(layout, description, sizeof description);
        } // the file is closed before cv::imread opens it again
        tsk::decodeWithOpenCV(path, description, destination, dst_width, dst_height, interpolation);
    });
}

tsk_status tsk_decode(const char *path, uint32_t page, const tsk_output *output, void *destination, tsk_info *info,
                      tsk_placement *placement, char *error, size_t error_capacity) {
    std::memset(info, 0, sizeof *info);
    std::memset(placement, 0, sizeof *placement);
    return guarded(error, error_capacity, [&] {
        tsk::checkOutput(*output, page);
        const bool rgbaRoute = output->dtype == TSK_DTYPE_UINT8;
        const bool defaultMode = rgbaRoute && output->color == TSK_COLOR_GRAY;
        char description[160] = "";
        uint32_t directory = 0;
        cv::Mat decoded;
        {
            tsk::SourceFile file(path);
            tsk::TiffReader reader(file, output->max_pixels);
            const std::vector<uint32_t> pages = tsk::listPages(file);
            if (output->pages == TSK_PAGES_ALL) {
                if (page >= pages.size())
                    tsk::fail(TSK_DECODE_FAILED, "has %zu pages, no page %u", pages.size(), page);
                directory = pages[page];
                if (directory != 0 && !TIFFSetDirectory(reader.handle(), static_cast<tdir_t>(directory))) {
                    const char *reason = tsk::tiffMessages();
                    tsk::fail(TSK_DECODE_FAILED, "cannot read directory %u (page %u): %s", directory, page,
                              reason[0] ? reason : "unknown error");
                }
            }
            tsk::Layout layout = readHeader(reader, output->max_pixels, info, rgbaRoute);
            info->pages = static_cast<uint32_t>(pages.size());
            info->directory = directory;
            if (defaultMode && !info->used_fallback) {
                uint8_t *gray = grayScratch.reserve(layout.pixels());
                tsk::decodeDirect(reader.handle(), layout, gray, rawScratch, output->max_pixels,
                                  tsk::rowsRead(layout.width, layout.height, *output));
                cv::Mat source(static_cast<int>(layout.height), static_cast<int>(layout.width), CV_8UC1, gray);
                if (output->resize == TSK_RESIZE_STRETCH) {
                    // Today's path, unchanged: straight into the row.
                    *placement = {static_cast<uint32_t>(output->width), static_cast<uint32_t>(output->height), 0, 0};
                    tsk::resizeInto(source, static_cast<uint8_t *>(destination), output->width, output->height,
                                    output->interpolation);
                } else {
                    tsk::placeInto(source, *output, destination, placement);
                }
                return;
            }
            if (tsk::imreadMisreadsPlanes(layout, *output)) {
                // Debian's OpenCV 4.6 reads these planes as if interleaved: wrong pixels that look like
                // an image. Decode them by value where the contract allows it, else refuse.
                info->used_fallback = 0;
                info->by_value = 1;
                tsk::placeInto(tsk::decodeSeparatePlanes(reader.handle(), layout, *output, rawScratch), *output,
                               destination, placement);
                return;
            }
            if (tsk::hasDirectRgbRoute(layout, *output)) {
                info->used_fallback = 0;
                tsk::placeInto(tsk::decodeRgbDirect(reader.handle(), layout, *output, rawScratch), *output,
                               destination, placement);
                return;
            }
            if (tsk::hasDirectGrayRoute(layout, *output)) {
                info->used_fallback = 0;
                tsk::placeInto(tsk::decodeGrayByValue(reader.handle(), layout, *output, rawScratch), *output,
                               destination, placement);
                return;
            }
            tsk::describeLayout(layout, description, sizeof description);
        } // the file is closed before cv::imread opens it again
        info->used_fallback = 1;
        tsk::resetTiffMessages();
        decoded = tsk::imreadForOutput(path, directory, *output);
        if (decoded.empty() && output->dtype == TSK_DTYPE_FLOAT32) {
            // What Debian's OpenCV cannot read, libtiff may: by value, in float32 only.
            tsk::SourceFile file(path);
            tsk::TiffReader reader(file, output->max_pixels);
            if (directory != 0 && !TIFFSetDirectory(reader.handle(), static_cast<tdir_t>(directory)))
                tsk::fail(TSK_DECODE_FAILED, "cannot read directory %u", directory);
            decoded = tsk::decodeBeyondOpenCV(reader.handle(), reader.layout(), *output, rawScratch);
            info->by_value = 1;
        }
        if (decoded.empty()) {
            const char *reason = tsk::tiffMessages();
            if (reason[0] != '\0') tsk::fail(TSK_DECODE_FAILED, "cv::imread cannot decode %s: %s", description, reason);
            if (output->dtype == TSK_DTYPE_UINT16)
                tsk::fail(TSK_UNSUPPORTED, "cv::imread cannot read %s as uint16 (dtype float32 decodes more layouts by value)",
                          description);
            tsk::fail(TSK_UNSUPPORTED, "neither the direct decoder nor cv::imread handles %s", description);
        }
        tsk::placeInto(decoded, *output, destination, placement);
    });
}

tsk_status tsk_reference_decode(const char *path, uint32_t page, const tsk_output *output, void *destination,
                                tsk_placement *placement, char *error, size_t error_capacity) {
    std::memset(placement, 0, sizeof *placement);
    return guarded(error, error_capacity, [&] {
        tsk::checkOutput(*output, page);
        uint32_t directory = 0;
        if (output->pages == TSK_PAGES_ALL) {
            tsk::SourceFile file(path);
            const std::vector<uint32_t> pages = tsk::listPages(file);
            if (page >= pages.size()) tsk::fail(TSK_DECODE_FAILED, "has %zu pages, no page %u", pages.size(), page);
            directory = pages[page];
        }
        tsk::resetTiffMessages();
        cv::Mat decoded = tsk::imreadForOutput(path, directory, *output);
        if (decoded.empty()) {
            const char *reason = tsk::tiffMessages();
            tsk::fail(reason[0] ? TSK_DECODE_FAILED : TSK_UNSUPPORTED, "cv::imread cannot decode this file: %s",
                      reason[0] ? reason : "no reason given");
        }
        tsk::placeInto(decoded, *output, destination, placement);
    });
}

tsk_status tsk_reference_decode_resize(const char *path, uint8_t *destination, int32_t dst_width, int32_t dst_height,
                                       tsk_interpolation interpolation, char *error, size_t error_capacity) {
    return guarded(error, error_capacity, [&] {
        tsk::checkResizeArguments(dst_width, dst_height, interpolation);
        tsk::decodeWithOpenCV(path, nullptr, destination, dst_width, dst_height, interpolation);
    });
}

} // extern "C"
