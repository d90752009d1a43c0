/// libtiff access to page 0 of a source file: open with our I/O and limits, read the layout.
#ifndef TIFFSHARD_TIFF_READER_HPP
#define TIFFSHARD_TIFF_READER_HPP

#include <cstdint>
#include <tiffio.h>

#include "image_kernel.h"
#include "source_file.hpp"

namespace tsk {

/// What page 0 declares, with libtiff's defaults applied.
struct Layout {
    uint32_t width = 0;
    uint32_t height = 0;
    uint16_t bits = 0;
    uint16_t samples = 0;
    uint16_t photometric = 0;
    bool hasPhotometric = false;
    uint16_t compression = 0;
    uint16_t planar = PLANARCONFIG_CONTIG;
    uint16_t orientation = ORIENTATION_TOPLEFT;
    uint16_t sampleFormat = SAMPLEFORMAT_UINT;
    uint16_t extraSamples = 0;   ///< count of ExtraSamples entries
    uint16_t firstExtra = 0;     ///< EXTRASAMPLE_* of the first extra sample
    bool tiled = false;
    uint32_t tileWidth = 0;
    uint32_t tileHeight = 0;
    uint32_t rowsPerStrip = 0;   ///< clamped to height
    bool bigTIFF = false;

    /// width * height, without overflow.
    uint64_t pixels() const noexcept { return static_cast<uint64_t>(width) * height; }
};

/// libtiff client I/O state: pread at a tracked offset, so a strip costs one syscall, not two.
struct ClientIO {
    const SourceFile *file = nullptr;
    uint64_t offset = 0;
};

/// An open libtiff handle on page 0 of a `SourceFile`. Errors go to the thread's message buffer.
class TiffReader {
  public:
    /// Opens the file with libtiff; `max_pixels` (0 = none) bounds libtiff's single allocations.
    /// Throws TSK_DECODE_FAILED with libtiff's reason if the header or first directory is invalid.
    TiffReader(const SourceFile &file, uint64_t max_pixels);
    ~TiffReader();
    TiffReader(const TiffReader &) = delete;
    TiffReader &operator=(const TiffReader &) = delete;

    /// The libtiff handle, positioned on page 0.
    TIFF *handle() const noexcept { return tif_; }

    /// Reads the layout of page 0. Throws TSK_DECODE_FAILED if mandatory tags are missing.
    Layout layout() const;

    /// Number of pages (directories) in the file.
    uint32_t pageCount() const;

    /// Throws TSK_DECODE_FAILED unless every strip or tile of the current directory holds data inside
    /// the file: a sparse block (offset or byte count 0, GDAL's SPARSE_OK), a block ending past the end
    /// of the file, or an uncompressed block shorter than its rows would make libtiff read bytes that
    /// are not the block's data (its uncompressed fast path reads the size the layout needs from the
    /// offset, whatever the byte count says). cv::imread refuses all three; so do we, for every path.
    void checkBlocks(const Layout &layout) const;

  private:
    ClientIO io_;
    TIFF *tif_ = nullptr;
};

/// Throws TSK_TOO_LARGE if the declared size exceeds `max_pixels` (0 = no limit), TSK_DECODE_FAILED
/// for a zero width or height.
/// The largest single allocation decoding may make for `max_pixels`: one uncompressed strip of the whole
/// image at 16-bit RGBA (8 bytes per pixel) plus 16 MiB; anything beyond is a lie in the header.
uint64_t singleAllocationBudget(uint64_t max_pixels) noexcept;

void checkPixelLimit(const Layout &layout, uint64_t max_pixels);

/// True if the direct libtiff path decodes this layout exactly as cv::imread would.
bool isDirectlyDecodable(const Layout &layout) noexcept;

/// Writes the layout-derived fields of `info` (pages, used_fallback are set by the caller).
void fillInfo(const Layout &layout, tsk_info *info) noexcept;

/// The usual name of a TIFF compression code ("JPEG 2000", "JPEG XL", "LZW", ...), "unknown" if none.
const char *compressionName(uint16_t compression) noexcept;

/// A short description such as "photometric 3, 8-bit x 1, compression 7", for messages.
void describeLayout(const Layout &layout, char *buffer, size_t capacity) noexcept;

} // namespace tsk
#endif
