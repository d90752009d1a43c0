/// libtiff handle over a SourceFile and the page-0 layout (see tiff_reader.hpp).
#include "tiff_reader.hpp"

#include <cerrno>
#include <algorithm>
#include <cstdio>

#include "kernel_failure.hpp"
#include "tiff_messages.hpp"

namespace tsk {
namespace {

tmsize_t readProc(thandle_t handle, void *buffer, tmsize_t count) {
    auto *io = static_cast<ClientIO *>(handle);
    if (count < 0) return -1;
    ssize_t n = io->file->readAt(buffer, static_cast<size_t>(count), io->offset);
    if (n > 0) io->offset += static_cast<uint64_t>(n);
    return n;
}

tmsize_t writeProc(thandle_t, void *, tmsize_t) {
    errno = EBADF;
    return -1;
}

toff_t seekProc(thandle_t handle, toff_t offset, int whence) {
    auto *io = static_cast<ClientIO *>(handle);
    switch (whence) {
    case SEEK_SET: io->offset = offset; break;
    case SEEK_CUR: io->offset += offset; break;
    case SEEK_END: io->offset = io->file->size() + offset; break;
    default: errno = EINVAL; return static_cast<toff_t>(-1);
    }
    return io->offset;
}

int closeProc(thandle_t) { return 0; } // the SourceFile owns the descriptor

toff_t sizeProc(thandle_t handle) { return static_cast<ClientIO *>(handle)->file->size(); }

// No mmap: a file truncated while mapped would kill the worker with SIGBUS.
int mapProc(thandle_t, void **, toff_t *) { return 0; }
void unmapProc(thandle_t, void *, toff_t) {}

} // namespace

TiffReader::TiffReader(const SourceFile &file, uint64_t max_pixels) {
    TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
    if (options == nullptr) fail(TSK_OUT_OF_MEMORY, "cannot allocate libtiff options");
    TIFFOpenOptionsSetErrorHandlerExtR(options, captureTiffError, nullptr);
    TIFFOpenOptionsSetWarningHandlerExtR(options, dropTiffWarning, nullptr);
    if (max_pixels > 0) {
        TIFFOpenOptionsSetMaxSingleMemAlloc(options, static_cast<tmsize_t>(singleAllocationBudget(max_pixels)));
    }
    io_ = ClientIO{&file, 0};
    resetTiffMessages();
    // "m": no memory mapping. "c": no chopping of single uncompressed strips into 8 KiB pieces, so
    // a plain file is read with one pread instead of one per 8 KiB.
    tif_ = TIFFClientOpenExt("file", "rmc", &io_, readProc, writeProc, seekProc, closeProc, sizeProc, mapProc,
                             unmapProc, options);
    TIFFOpenOptionsFree(options);
    if (tif_ == nullptr) {
        const char *reason = tiffMessages();
        fail(TSK_DECODE_FAILED, "libtiff cannot read the header: %s", reason[0] ? reason : "unknown error");
    }
}

TiffReader::~TiffReader() {
    if (tif_ != nullptr) TIFFClose(tif_);
}

Layout TiffReader::layout() const {
    Layout layout;
    if (!TIFFGetField(tif_, TIFFTAG_IMAGEWIDTH, &layout.width) ||
        !TIFFGetField(tif_, TIFFTAG_IMAGELENGTH, &layout.height))
        fail(TSK_DECODE_FAILED, "page 0 has no image size");
    TIFFGetFieldDefaulted(tif_, TIFFTAG_BITSPERSAMPLE, &layout.bits);
    TIFFGetFieldDefaulted(tif_, TIFFTAG_SAMPLESPERPIXEL, &layout.samples);
    layout.hasPhotometric = TIFFGetField(tif_, TIFFTAG_PHOTOMETRIC, &layout.photometric) != 0;
    TIFFGetFieldDefaulted(tif_, TIFFTAG_COMPRESSION, &layout.compression);
    TIFFGetFieldDefaulted(tif_, TIFFTAG_PLANARCONFIG, &layout.planar);
    TIFFGetFieldDefaulted(tif_, TIFFTAG_ORIENTATION, &layout.orientation);
    TIFFGetFieldDefaulted(tif_, TIFFTAG_SAMPLEFORMAT, &layout.sampleFormat);
    uint16_t *extra = nullptr;
    TIFFGetFieldDefaulted(tif_, TIFFTAG_EXTRASAMPLES, &layout.extraSamples, &extra);
    layout.firstExtra = layout.extraSamples > 0 && extra != nullptr ? extra[0] : 0;
    layout.tiled = TIFFIsTiled(tif_) != 0;
    if (layout.tiled) {
        TIFFGetField(tif_, TIFFTAG_TILEWIDTH, &layout.tileWidth);
        TIFFGetField(tif_, TIFFTAG_TILELENGTH, &layout.tileHeight);
    } else {
        TIFFGetFieldDefaulted(tif_, TIFFTAG_ROWSPERSTRIP, &layout.rowsPerStrip);
        if (layout.rowsPerStrip == 0 || layout.rowsPerStrip > layout.height) layout.rowsPerStrip = layout.height;
    }
    layout.bigTIFF = TIFFIsBigTIFF(tif_) != 0;
    return layout;
}

uint32_t TiffReader::pageCount() const { return TIFFNumberOfDirectories(tif_); }

void TiffReader::checkBlocks(const Layout &layout) const {
    const char *kind = layout.tiled ? "tile" : "strip";
    const uint32_t blocks = layout.tiled ? TIFFNumberOfTiles(tif_) : TIFFNumberOfStrips(tif_);
    const uint64_t fileSize = io_.file->size();
    const bool uncompressed = layout.compression == COMPRESSION_NONE;
    // Strips of one plane, to find the rows of strip i (the last one of each plane may be shorter).
    const uint64_t rowsPerStrip = layout.tiled ? 0 : layout.rowsPerStrip;
    const uint64_t stripsPerPlane = layout.tiled || rowsPerStrip == 0 ? 1 : (uint64_t(layout.height) + rowsPerStrip - 1) / rowsPerStrip;
    const uint64_t tileBytes = layout.tiled ? static_cast<uint64_t>(TIFFTileSize64(tif_)) : 0;
    for (uint32_t i = 0; i < blocks; i++) {
        int failed = 0;
        const uint64_t offset = TIFFGetStrileOffsetWithErr(tif_, i, &failed);
        const uint64_t count = failed ? 0 : TIFFGetStrileByteCountWithErr(tif_, i, &failed);
        if (failed) fail(TSK_DECODE_FAILED, "cannot read the offset or byte count of %s %u", kind, i);
        if (offset == 0 || count == 0) {
            fail(TSK_DECODE_FAILED, "%s %u is sparse (offset %llu, byte count %llu): it holds no data", kind, i,
                 static_cast<unsigned long long>(offset), static_cast<unsigned long long>(count));
        }
        if (offset > fileSize || count > fileSize - offset) {
            fail(TSK_DECODE_FAILED, "%s %u ends at byte %llu, past the end of the file (%llu bytes)", kind, i,
                 static_cast<unsigned long long>(offset + count), static_cast<unsigned long long>(fileSize));
        }
        if (!uncompressed) continue;
        uint64_t needed = tileBytes;
        if (!layout.tiled) {
            const uint64_t firstRow = (i % stripsPerPlane) * rowsPerStrip;
            const uint64_t rows = firstRow >= layout.height ? 0 : std::min<uint64_t>(rowsPerStrip, layout.height - firstRow);
            needed = static_cast<uint64_t>(TIFFVStripSize64(tif_, static_cast<uint32_t>(rows)));
        }
        if (count < needed) {
            fail(TSK_DECODE_FAILED, "uncompressed %s %u holds %llu bytes, its rows need %llu", kind, i,
                 static_cast<unsigned long long>(count), static_cast<unsigned long long>(needed));
        }
    }
}

uint64_t singleAllocationBudget(uint64_t max_pixels) noexcept {
    return max_pixels > (UINT64_C(1) << 58) ? UINT64_MAX >> 1 : max_pixels * 8 + (UINT64_C(16) << 20);
}

void checkPixelLimit(const Layout &layout, uint64_t max_pixels) {
    if (max_pixels > 0 && layout.pixels() > max_pixels) {
        fail(TSK_TOO_LARGE, "declares %ux%u pixels, limit is %llu", layout.width, layout.height,
             static_cast<unsigned long long>(max_pixels));
    }
    if (layout.width == 0 || layout.height == 0)
        fail(TSK_DECODE_FAILED, "declares an empty image (%ux%u)", layout.width, layout.height);
}

bool isDirectlyDecodable(const Layout &layout) noexcept {
    switch (layout.compression) {
    case COMPRESSION_NONE: case COMPRESSION_LZW: case COMPRESSION_ADOBE_DEFLATE: case COMPRESSION_DEFLATE:
    case COMPRESSION_PACKBITS: case COMPRESSION_LZMA: case COMPRESSION_ZSTD: case COMPRESSION_WEBP:
    case COMPRESSION_LERC:
        break;
    default:
        return false; // JPEG, OJPEG, CCITT, JBIG, PixarLog, SGILog...: cv::imread decides
    }
    if (!TIFFIsCODECConfigured(layout.compression)) return false;
    if (layout.bits != 8 && layout.bits != 16) return false;
    if (layout.sampleFormat != SAMPLEFORMAT_UINT || layout.orientation != ORIENTATION_TOPLEFT) return false;
    if (!layout.hasPhotometric) return false;
    if (layout.tiled ? (layout.tileWidth == 0 || layout.tileHeight == 0) : layout.rowsPerStrip == 0) return false;
    if (layout.planar != PLANARCONFIG_CONTIG && layout.planar != PLANARCONFIG_SEPARATE) return false;
    if (layout.photometric == PHOTOMETRIC_MINISBLACK) {
        // libtiff 4.5's put16bitbwtile (tif_getimage.c) skips `fromskew` bytes instead of samples
        // after each row of a right-clipped tile, so imread reads shifted bytes (padding, mostly)
        // there. Leave such files to imread so the output stays what imread gives.
        if (layout.tiled && layout.bits == 16 && layout.width % layout.tileWidth != 0) return false;
        return layout.samples == 1;
    }
    if (layout.photometric == PHOTOMETRIC_RGB) {
        // A fourth sample is alpha (ExtraSamples) or undeclared; either way the colour channels come first.
        return (layout.samples == 3 && layout.extraSamples == 0) ||
               (layout.samples == 4 && layout.extraSamples <= 1);
    }
    return false;
}

void fillInfo(const Layout &layout, tsk_info *info) noexcept {
    info->width = layout.width;
    info->height = layout.height;
    info->bits_per_sample = layout.bits;
    info->samples_per_pixel = layout.samples;
    info->compression = layout.compression;
    info->big_tiff = layout.bigTIFF ? 1 : 0;
}

const char *compressionName(uint16_t compression) noexcept {
    switch (compression) {
    case 1: return "none";
    case 2: return "CCITT RLE";
    case 3: return "CCITT G3";
    case 4: return "CCITT G4";
    case 5: return "LZW";
    case 6: return "old JPEG";
    case 7: return "JPEG";
    case 8: case 32946: return "Deflate";
    case 9: case 10: return "JBIG";
    case 32773: return "PackBits";
    case 33003: case 33005: case 34712: return "JPEG 2000";
    case 34676: case 34677: return "SGILog";
    case 34887: return "LERC";
    case 34925: return "LZMA";
    case 34933: return "PNG";
    case 34934: return "JPEG XR";
    case 50000: return "ZSTD";
    case 50001: return "WebP";
    case 50002: case 52546: return "JPEG XL";
    }
    return "unknown";
}

void describeLayout(const Layout &layout, char *buffer, size_t capacity) noexcept {
    std::snprintf(buffer, capacity, "photometric %d, %u-bit x %u, sample format %u, compression %u",
                  layout.hasPhotometric ? static_cast<int>(layout.photometric) : -1, layout.bits, layout.samples,
                  layout.sampleFormat, layout.compression);
}

} // namespace tsk
