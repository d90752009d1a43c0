/// Decode of samples as stored (see sample_decoder.hpp).
#include "sample_decoder.hpp"

#include <algorithm>
#include <cstring>

#include "kernel_failure.hpp"
#include "tiff_messages.hpp"

namespace tsk {
namespace {

uint64_t product(uint64_t a, uint64_t b, const char *what) {
    uint64_t result;
    if (__builtin_mul_overflow(a, b, &result)) fail(TSK_TOO_LARGE, "declares %s of more than 2^64 bytes", what);
    return result;
}

void checkBudget(uint64_t bytes, uint64_t max_pixels, const char *what) {
    const uint64_t budget = singleAllocationBudget(max_pixels);
    if (max_pixels > 0 && bytes > budget) {
        fail(TSK_TOO_LARGE, "declares %s of %llu bytes, more than the %llu-byte budget", what,
             static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(budget));
    }
}

[[noreturn]] void readFailed(const char *what, uint32_t index, tmsize_t got, uint64_t wanted) {
    const char *reason = tiffMessages();
    if (reason[0] != '\0') fail(TSK_DECODE_FAILED, "%s %u: %s", what, index, reason);
    fail(TSK_DECODE_FAILED, "%s %u: decoded %lld of %llu bytes", what, index, static_cast<long long>(got),
         static_cast<unsigned long long>(wanted));
}

/// Copies `count` samples of `sampleBytes` from a plane buffer into every `stride`-th sample slot.
void scatter(const uint8_t *from, uint8_t *to, size_t count, size_t sampleBytes, size_t stride) {
    for (size_t i = 0; i < count; i++) std::memcpy(to + i * stride * sampleBytes, from + i * sampleBytes, sampleBytes);
}

} // namespace

int storageDepth(const Layout &layout) noexcept {
    const bool isUnsigned = layout.sampleFormat == SAMPLEFORMAT_UINT, isSigned = layout.sampleFormat == SAMPLEFORMAT_INT;
    const bool isFloat = layout.sampleFormat == SAMPLEFORMAT_IEEEFP;
    switch (layout.bits) {
    case 8: return isUnsigned ? CV_8U : isSigned ? CV_8S : -1;
    case 16: return isUnsigned ? CV_16U : isSigned ? CV_16S : isFloat ? CV_16F : -1;
    case 32: return isUnsigned || isSigned ? CV_32S : isFloat ? CV_32F : -1;
    case 64: return isFloat ? CV_64F : -1;
    default: return -1;
    }
}

cv::Mat decodeSamples(TIFF *tif, const Layout &layout, ScratchBuffer &raw, uint64_t max_pixels,
                      const RowNeeds &needs) {
    resetTiffMessages();
    const int depth = storageDepth(layout);
    if (depth < 0 || layout.samples == 0 || layout.samples > CV_CN_MAX) {
        char description[160];
        describeLayout(layout, description, sizeof description);
        fail(TSK_UNSUPPORTED, "no by-value decoding for %s", description);
    }
    if (layout.orientation != ORIENTATION_TOPLEFT)
        fail(TSK_UNSUPPORTED, "orientation %u is not decoded by value", layout.orientation);
    if (!TIFFIsCODECConfigured(layout.compression))
        fail(TSK_UNSUPPORTED, "compression %u is not available in this libtiff", layout.compression);
    if (layout.tiled ? (layout.tileWidth == 0 || layout.tileHeight == 0) : layout.rowsPerStrip == 0)
        fail(TSK_DECODE_FAILED, "declares empty blocks");
    const size_t width = layout.width, height = layout.height, samples = layout.samples;
    const size_t sampleBytes = layout.bits / 8;
    const bool separate = layout.planar == PLANARCONFIG_SEPARATE && samples > 1;
    const size_t pixelBytes = sampleBytes * samples;
    const size_t rowBytes = product(width, pixelBytes, "a row");
    checkBudget(product(rowBytes, height, "an image"), max_pixels, "an image");
    cv::Mat image(static_cast<int>(height), static_cast<int>(width), CV_MAKETYPE(depth, static_cast<int>(samples)));
    uint8_t *out = image.data;
    const size_t blockSamples = separate ? 1 : samples;  // samples per pixel inside one decoded block
    if (!layout.tiled) {
        const size_t rowsPerStrip = layout.rowsPerStrip;
        const size_t stripRowBytes = width * blockSamples * sampleBytes;
        uint8_t *buffer = nullptr;
        if (separate) {
            const uint64_t bytes = product(rowsPerStrip, stripRowBytes, "a strip");
            checkBudget(bytes, max_pixels, "a strip");
            buffer = raw.reserve(bytes);
        }
        for (uint64_t y = 0; y < height; y += rowsPerStrip) {
            const size_t rows = std::min<size_t>(rowsPerStrip, height - y);
            if (!needs.needsAny(y, rows)) {
                std::memset(out + y * rowBytes, 0, rows * rowBytes);
                continue;
            }
            const size_t wanted = rows * stripRowBytes;
            for (uint16_t plane = 0; plane < (separate ? samples : 1); plane++) {
                const uint32_t strip = TIFFComputeStrip(tif, static_cast<uint32_t>(y), plane);
                uint8_t *target = separate ? buffer : out + y * rowBytes;
                const tmsize_t got = TIFFReadEncodedStrip(tif, strip, target, static_cast<tmsize_t>(wanted));
                if (got != static_cast<tmsize_t>(wanted)) readFailed("strip", strip, got, wanted);
                if (separate) scatter(buffer, out + y * rowBytes + plane * sampleBytes, rows * width, sampleBytes, samples);
            }
        }
        return image;
    }
    const size_t tileWidth = layout.tileWidth, tileHeight = layout.tileHeight;
    const size_t tileRowBytes = product(tileWidth, blockSamples * sampleBytes, "a tile");
    const uint64_t tileBytes = product(tileRowBytes, tileHeight, "a tile");
    checkBudget(tileBytes, max_pixels, "a tile");
    uint8_t *buffer = raw.reserve(tileBytes);
    for (uint64_t y = 0; y < height; y += tileHeight) {
        const size_t rows = std::min<size_t>(tileHeight, height - y);
        if (!needs.needsAny(y, rows)) {
            std::memset(out + y * rowBytes, 0, rows * rowBytes);
            continue;
        }
        for (uint64_t x = 0; x < width; x += tileWidth) {
            const size_t columns = std::min<size_t>(tileWidth, width - x);
            for (uint16_t plane = 0; plane < (separate ? samples : 1); plane++) {
                const uint32_t tile = TIFFComputeTile(tif, static_cast<uint32_t>(x), static_cast<uint32_t>(y), 0, plane);
                const tmsize_t got = TIFFReadEncodedTile(tif, tile, buffer, static_cast<tmsize_t>(tileBytes));
                if (got != static_cast<tmsize_t>(tileBytes)) readFailed("tile", tile, got, tileBytes);
                for (size_t r = 0; r < rows; r++) {
                    uint8_t *target = out + (y + r) * rowBytes + x * pixelBytes;
                    const uint8_t *source = buffer + r * tileRowBytes;
                    if (separate) scatter(source, target + plane * sampleBytes, columns, sampleBytes, samples);
                    else std::memcpy(target, source, columns * pixelBytes);
                }
            }
        }
    }
    return image;
}

cv::Mat samplesToFloat(const cv::Mat &decoded, const Layout &layout) {
    cv::Mat result;
    if (layout.bits == 32 && layout.sampleFormat == SAMPLEFORMAT_UINT) {
        result.create(decoded.rows, decoded.cols, CV_MAKETYPE(CV_32F, decoded.channels()));
        const size_t count = decoded.total() * decoded.channels();
        const uint32_t *from = reinterpret_cast<const uint32_t *>(decoded.data);
        float *to = reinterpret_cast<float *>(result.data);
        for (size_t i = 0; i < count; i++) to[i] = static_cast<float>(from[i]);
        return result;
    }
    decoded.convertTo(result, CV_MAKETYPE(CV_32F, decoded.channels()));
    return result;
}

} // namespace tsk
