/// Row conversion to 8-bit gray, bit-exact with OpenCV 4.6 `cv::imread(path, IMREAD_GRAYSCALE)`.
///
/// OpenCV decodes 8-bit output through libtiff's TIFFReadRGBA* (tif_getimage.c), then applies
/// icvCvt_BGRA2Gray_8u_C4C1R. Hence, measured against Debian's OpenCV 4.6 / libtiff 4.5:
///  - gray 16-bit: `v >> 8` (libtiff's BWmap uses the high byte);
///  - RGB: `(4899 R + 9617 G + 1868 B + 8192) >> 14` on 8-bit channels;
///  - RGB 16-bit: each channel first becomes `(v + 128) / 257` (libtiff's Bitdepth16To8), NOT v >> 8;
///  - RGBA with ExtraSamples = unassociated alpha: libtiff premultiplies each channel,
///    `(c * a + 127) / 255` (UaToAa), before the gray formula; associated, unspecified or no
///    ExtraSamples tag: alpha is ignored.
#ifndef TIFFSHARD_PIXEL_CONVERT_HPP
#define TIFFSHARD_PIXEL_CONVERT_HPP

#include <cstddef>
#include <cstdint>

#include "tiff_reader.hpp"

namespace tsk {

/// Converts `count` pixels to gray. `channels[c]` points at sample c of the first pixel; consecutive
/// pixels are a fixed number of samples apart, chosen with the converter (samples per pixel when
/// interleaved, 1 for separate planes).
using RowConverter = void (*)(const void *const channels[4], size_t count, uint8_t *out);

/// How to turn decoded samples of one layout into gray.
struct Conversion {
    RowConverter convert = nullptr;
    uint16_t channelsUsed = 1; ///< samples read per pixel (alpha only when it premultiplies)
    bool isGray8 = false;      ///< samples are already the output: decode straight into it
};

/// Picks the conversion for a layout accepted by `isDirectlyDecodable`.
Conversion chooseConversion(const Layout &layout) noexcept;

/// libtiff's 16-to-8-bit table of TIFFRGBAImage for RGB samples: `(v + 128) / 257`.
const uint8_t *depth16To8() noexcept;

/// libtiff's unassociated-alpha premultiplication: `premultiplied(a)[v] = (v * a + 127) / 255`.
const uint8_t *premultiplied(uint8_t alpha) noexcept;

/// Whether TIFFRGBAImage premultiplies this layout's colour by its alpha (unassociated alpha declared).
bool premultipliesAlpha(const Layout &layout) noexcept;

/// Builds the lookup tables now rather than on the first image.
void prepareConversionTables() noexcept;

} // namespace tsk
#endif
