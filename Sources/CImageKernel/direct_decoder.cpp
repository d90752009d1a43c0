/// Direct decode with TIFFReadEncodedStrip/Tile and row conversion (see direct_decoder.hpp).
#include "direct_decoder.hpp"

#include <algorithm>

#include "kernel_failure.hpp"
#include "pixel_convert.hpp"
#include "tiff_messages.hpp"

namespace tsk {
namespace {

/// Geometry shared by the strip and tile loops.
struct Plan {
    Conversion conversion;
    bool separate = false;  ///< one plane per sample
    uint16_t planes = 1;    ///< planes decoded (unused alpha planes are skipped)
    size_t sampleBytes = 1;
    size_t pixelSamples = 1; ///< samples per pixel inside one decoded buffer
};

Plan makePlan(const Layout &layout) {
    Plan plan;
    plan.conversion = chooseConversion(layout);
    plan.separate = layout.planar == PLANARCONFIG_SEPARATE && layout.samples > 1;
    plan.planes = plan.separate ? plan.conversion.channelsUsed : 1;
    plan.sampleBytes = layout.bits / 8;
    plan.pixelSamples = plan.separate ? 1 : layout.samples;
    return plan;
}

/// `a * b`, or TSK_TOO_LARGE if it does not fit in 64 bits. Tile sizes come from the header: a tile
/// of 2^31 x 2^30 16-bit samples is 2^62 bytes per plane (libtiff accepts it), and times 4 planes a
/// plain product wraps to 0, which passed the budget and sized the buffer libtiff then decoded into.
uint64_t checkedProduct(uint64_t a, uint64_t b, const char *what) {
    uint64_t product;
    if (__builtin_mul_overflow(a, b, &product)) fail(TSK_TOO_LARGE, "declares %s of more than 2^64 bytes", what);
    return product;
}

void checkBudget(uint64_t bytes, uint64_t max_pixels, const char *what) {
    uint64_t budget = std::max<uint64_t>(max_pixels * 8, uint64_t(64) << 20);
    if (max_pixels > 0 && bytes > budget) {
        fail(TSK_TOO_LARGE, "declares %s of %llu bytes, more than the %llu-byte budget", what,
             static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(budget));
    }
}

[[noreturn]] void readFailed(const char *what, uint32_t index, tmsize_t got, size_t wanted) {
    const char *reason = tiffMessages();
    if (reason[0] != '\0') fail(TSK_DECODE_FAILED, "%s %u: %s", what, index, reason);
    fail(TSK_DECODE_FAILED, "%s %u: decoded %lld of %zu bytes", what, index, static_cast<long long>(got), wanted);
}

/// Points `channels` at the first pixel of a row of decoded samples (one buffer per plane).
void rowChannels(const Plan &plan, uint8_t *buffer, size_t planeBytes, size_t rowOffset, const void *channels[4]) {
    for (uint16_t c = 0; c < plan.conversion.channelsUsed; c++) {
        channels[c] = plan.separate ? buffer + c * planeBytes + rowOffset : buffer + rowOffset + c * plan.sampleBytes;
    }
}

/// Uncompressed 8-bit gray strips: the needed rows, read straight into the image, one `pread` per run of
/// rows that follow each other in the file (runs less than `mergeGap` bytes apart are read as one: a
/// system call costs about as much as copying that many bytes from the page cache).
void readUncompressedRows(TIFF *tif, const Layout &layout, uint8_t *gray, const RowNeeds &needs) {
    constexpr uint64_t mergeGap = 8 << 10;
    const auto *io = static_cast<const ClientIO *>(TIFFClientdata(tif));
    const uint64_t width = layout.width, rowsPerStrip = layout.rowsPerStrip;
    uint64_t runRow = 0, runOffset = 0, runBytes = 0; // the pending read: rows from runRow, bytes at runOffset
    auto flush = [&] {
        if (runBytes == 0) return;
        const ssize_t got = io->file->readAt(gray + runRow * width, runBytes, runOffset);
        if (got != static_cast<ssize_t>(runBytes)) {
            fail(TSK_DECODE_FAILED, "rows %llu to %llu: read %lld of %llu bytes", static_cast<unsigned long long>(runRow),
                 static_cast<unsigned long long>(runRow + runBytes / width), static_cast<long long>(got),
                 static_cast<unsigned long long>(runBytes));
        }
        runBytes = 0;
    };
    uint32_t strip = UINT32_MAX;
    uint64_t stripOffset = 0;
    for (uint64_t y = 0; y < layout.height; y++) {
        if (!needs.needs(y)) continue;
        if (y / rowsPerStrip != strip) {
            strip = static_cast<uint32_t>(y / rowsPerStrip);
            stripOffset = TIFFGetStrileOffset(tif, strip); // checkBlocks: inside the file, long enough
        }
        const uint64_t offset = stripOffset + (y - uint64_t(strip) * rowsPerStrip) * width;
        const uint64_t end = runOffset + runBytes;
        const uint64_t rowsBetween = y - runRow - runBytes / width;
        // Extend the run when this row follows it in the file and in the image (filling the gap rows too).
        if (runBytes > 0 && offset >= end && offset - end == rowsBetween * width && offset - end <= mergeGap) {
            runBytes = offset + width - runOffset;
            continue;
        }
        flush();
        runRow = y, runOffset = offset, runBytes = width;
    }
    flush();
}

void decodeStrips(TIFF *tif, const Layout &layout, const Plan &plan, uint8_t *gray, ScratchBuffer &raw,
                  uint64_t max_pixels, const RowNeeds &needs) {
    const size_t width = layout.width, rowsPerStrip = layout.rowsPerStrip;
    const size_t rowBytes = width * plan.pixelSamples * plan.sampleBytes;
    const size_t planeBytes = checkedProduct(rowsPerStrip, rowBytes, "a strip");
    // Plain 8-bit gray needs no conversion: libtiff decodes (or preads) straight into the image.
    const bool inPlace = plan.conversion.isGray8;
    if (inPlace && layout.compression == COMPRESSION_NONE) {
        readUncompressedRows(tif, layout, gray, needs);
        return;
    }
    uint8_t *buffer = nullptr;
    if (!inPlace) {
        const size_t stripBytes = checkedProduct(planeBytes, plan.planes, "a strip");
        checkBudget(stripBytes, max_pixels, "a strip");
        buffer = raw.reserve(stripBytes);
    }
    const void *channels[4] = {};
    for (uint64_t y = 0; y < layout.height; y += rowsPerStrip) { // 64-bit: no wrap near 2^32
        const size_t rows = std::min<size_t>(rowsPerStrip, layout.height - y);
        if (!needs.needsAny(y, rows)) continue; // the resize reads none of these rows
        const size_t wanted = rows * rowBytes;
        for (uint16_t plane = 0; plane < plan.planes; plane++) {
            uint32_t strip = TIFFComputeStrip(tif, static_cast<uint32_t>(y), plane);
            uint8_t *target = inPlace ? gray + size_t(y) * width : buffer + plane * planeBytes;
            tmsize_t got = TIFFReadEncodedStrip(tif, strip, target, static_cast<tmsize_t>(wanted));
            if (got != static_cast<tmsize_t>(wanted)) readFailed("strip", strip, got, wanted);
        }
        if (inPlace) continue;
        for (size_t r = 0; r < rows; r++) {
            rowChannels(plan, buffer, planeBytes, r * rowBytes, channels);
            plan.conversion.convert(channels, width, gray + (y + r) * width);
        }
    }
}

void decodeTiles(TIFF *tif, const Layout &layout, const Plan &plan, uint8_t *gray, ScratchBuffer &raw,
                 uint64_t max_pixels, const RowNeeds &needs) {
    const size_t width = layout.width, tileWidth = layout.tileWidth, tileHeight = layout.tileHeight;
    const size_t tileRowBytes = tileWidth * plan.pixelSamples * plan.sampleBytes;
    const size_t tileBytes = checkedProduct(tileRowBytes, tileHeight, "a tile");
    const size_t allPlanes = checkedProduct(tileBytes, plan.planes, "a tile");
    checkBudget(allPlanes, max_pixels, "a tile");
    uint8_t *buffer = raw.reserve(allPlanes);
    const void *channels[4] = {};
    for (uint64_t y = 0; y < layout.height; y += tileHeight) {
        const size_t rows = std::min<size_t>(tileHeight, layout.height - y);
        if (!needs.needsAny(y, rows)) continue;
        for (uint64_t x = 0; x < layout.width; x += tileWidth) {
            const size_t columns = std::min<size_t>(tileWidth, layout.width - x);
            for (uint16_t plane = 0; plane < plan.planes; plane++) {
                uint32_t tile = TIFFComputeTile(tif, static_cast<uint32_t>(x), static_cast<uint32_t>(y), 0, plane);
                uint8_t *target = buffer + plane * tileBytes;
                tmsize_t got = TIFFReadEncodedTile(tif, tile, target, static_cast<tmsize_t>(tileBytes));
                if (got != static_cast<tmsize_t>(tileBytes)) readFailed("tile", tile, got, tileBytes);
            }
            for (size_t r = 0; r < rows; r++) {
                rowChannels(plan, buffer, tileBytes, r * tileRowBytes, channels);
                plan.conversion.convert(channels, columns, gray + (y + r) * width + x);
            }
        }
    }
}

} // namespace

void decodeDirect(TIFF *tif, const Layout &layout, uint8_t *gray, ScratchBuffer &raw, uint64_t max_pixels,
                  const RowNeeds &needs) {
    resetTiffMessages();
    const Plan plan = makePlan(layout);
    if (layout.tiled) decodeTiles(tif, layout, plan, gray, raw, max_pixels, needs);
    else decodeStrips(tif, layout, plan, gray, raw, max_pixels, needs);
}

} // namespace tsk
