/// Direct decode with TIFFReadEncodedStrip/Tile and row conversion (see direct_decoder.hpp).
#include "direct_decoder.hpp"

#include <algorithm>
#include <vector>

#include "kernel_failure.hpp"
#include "mapped_copy.hpp"
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

/// Uncompressed 8-bit gray strips: the needed rows, copied straight into the image. Rows that follow each
/// other in the file and in the image form one run. The runs are copied out of a read-only mapping of the
/// file (page faults, 16 pages each, instead of a system call per run; a file shrinking meanwhile is a
/// failure of this decode, see mapped_copy.hpp), or read with one `pread` per run if it cannot be mapped
/// (runs less than `mergeGap` bytes apart are then read as one: a system call costs about as much as
/// copying that many bytes).
void readUncompressedRows(TIFF *tif, const Layout &layout, uint8_t *gray, const RowNeeds &needs) {
    const auto *io = static_cast<const ClientIO *>(TIFFClientdata(tif));
    const uint64_t width = layout.width, rowsPerStrip = layout.rowsPerStrip;
    struct Run {
        uint64_t row, offset, bytes;
    };
    std::vector<Run> runs;
    uint64_t first = UINT64_MAX, last = 0; // the file range the runs cover
    uint32_t strip = UINT32_MAX;
    uint64_t stripOffset = 0;
    for (uint64_t y = 0; y < layout.height; y++) {
        if (!needs.needs(y)) continue;
        if (y / rowsPerStrip != strip) {
            strip = static_cast<uint32_t>(y / rowsPerStrip);
            stripOffset = TIFFGetStrileOffset(tif, strip); // checkBlocks: inside the file, long enough
        }
        const uint64_t offset = stripOffset + (y - uint64_t(strip) * rowsPerStrip) * width;
        first = std::min(first, offset);
        last = std::max(last, offset + width);
        if (!runs.empty() && runs.back().row + runs.back().bytes / width == y && runs.back().offset + runs.back().bytes == offset) {
            runs.back().bytes += width;
        } else {
            runs.push_back({y, offset, width});
        }
    }
    if (runs.empty()) return;
    FileMapping mapping(io->file->descriptor(), first, last - first);
    if (mapping.valid()) {
        std::vector<CopyRun> copies;
        copies.reserve(runs.size());
        for (const Run &run : runs) copies.push_back({mapping.at(run.offset), gray + run.row * width, run.bytes});
        if (!guardedCopy(copies.data(), copies.size())) fail(TSK_DECODE_FAILED, "the file shrank while being read");
        return;
    }
    constexpr uint64_t mergeGap = 8 << 10;
    for (size_t i = 0; i < runs.size();) {
        Run run = runs[i++];
        // Extend over the next runs while the gap is small and the rows in it are the image's rows too.
        while (i < runs.size() && runs[i].offset >= run.offset + run.bytes &&
               runs[i].offset - (run.offset + run.bytes) <= mergeGap &&
               runs[i].offset - run.offset == (runs[i].row - run.row) * width) {
            run.bytes = runs[i].offset + runs[i].bytes - run.offset;
            i++;
        }
        const ssize_t got = io->file->readAt(gray + run.row * width, run.bytes, run.offset);
        if (got != static_cast<ssize_t>(run.bytes)) {
            fail(TSK_DECODE_FAILED, "rows %llu to %llu: read %lld of %llu bytes", static_cast<unsigned long long>(run.row),
                 static_cast<unsigned long long>(run.row + run.bytes / width), static_cast<long long>(got),
                 static_cast<unsigned long long>(run.bytes));
        }
    }
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
