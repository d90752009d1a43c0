/// Decoding a page into the output dtype and colour (before placement), by the contract's routes:
/// `cv::imread` with the flags of the mode (the reference, quirks included), the direct libtiff routes
/// that give the same values faster, and by-value decoding for what OpenCV cannot read (float32 only).
#ifndef TIFFSHARD_OUTPUT_MODES_HPP
#define TIFFSHARD_OUTPUT_MODES_HPP

#include <cstdint>
#include <opencv2/core.hpp>

#include "image_kernel.h"
#include "scratch_buffer.hpp"
#include "tiff_reader.hpp"

namespace tsk {

/// The `cv::imread` flags of a mode: gray uint8 IMREAD_GRAYSCALE, gray otherwise IMREAD_ANYDEPTH, rgb
/// uint8 IMREAD_COLOR, rgb otherwise IMREAD_COLOR | IMREAD_ANYDEPTH.
int imreadFlags(const tsk_output &output) noexcept;

/// The reference route: `cv::imread` (directory 0) or `cv::imreadmulti` (directory `directory` alone)
/// with `imreadFlags`, BGR -> RGB for rgb, then `toOutputDepth`. An image imread cannot read is an
/// empty Mat (the caller decides between rejecting and decoding by value).
cv::Mat imreadForOutput(const char *path, uint32_t directory, const tsk_output &output);

/// `convertTo` the output depth by value. With uint16, signed and float samples are TSK_UNSUPPORTED with
/// a reason naming dtype float32.
cv::Mat toOutputDepth(const cv::Mat &image, const tsk_output &output);

/// True if `decodeGrayByValue` gives exactly what `imreadForOutput` gives for this layout: gray output
/// in uint16/float32 of unsigned 8/16-bit min-is-black single-sample pages that the direct path reads.
bool hasDirectGrayRoute(const Layout &layout, const tsk_output &output) noexcept;

/// The direct route of `hasDirectGrayRoute`: libtiff decodes the samples straight into the image,
/// converted by value to the output depth.
cv::Mat decodeGrayByValue(TIFF *tif, const Layout &layout, const tsk_output &output, ScratchBuffer &raw);

/// Beyond OpenCV (dtype float32 only): pages libtiff decodes but cv::imread cannot (float16, RGB float,
/// gray+alpha float, unsigned 32-bit, more than 4 samples...), by value in float32: gray is the first
/// sample, or 0.299 R + 0.587 G + 0.114 B (COLOR_RGB2GRAY's weights, evaluated in float32 left to
/// right) for photometric RGB; rgb is the first three samples of RGB, or the first sample three times.
/// TSK_UNSUPPORTED for other photometrics and layouts.
cv::Mat decodeBeyondOpenCV(TIFF *tif, const Layout &layout, const tsk_output &output, ScratchBuffer &raw);

/// True if `decodeRgbDirect` gives exactly what `imreadForOutput` gives: rgb output of the layouts the
/// direct gray path reads (8/16-bit gray, RGB, RGBA; not the planar pages of `imreadMisreadsPlanes`).
bool hasDirectRgbRoute(const Layout &layout, const tsk_output &output) noexcept;

/// The direct rgb route: samples by value from libtiff, then what cv::imread does to them. 8-bit output,
/// or 8-bit sources (OpenCV reads them through TIFFRGBAImage): 16-bit RGB `(v + 128) / 257`, 16-bit gray
/// `v >> 8`, unassociated alpha premultiplied `(c a + 127) / 255`, gray repeated. 16-bit sources in
/// uint16/float32: the samples by value (gray repeated, alpha dropped).
cv::Mat decodeRgbDirect(TIFF *tif, const Layout &layout, const tsk_output &output, ScratchBuffer &raw);

/// True where `cv::imread` of Debian's OpenCV 4.6 returns wrong pixels: planar-separate pages of more
/// than one sample wider than 8 bits, read with IMREAD_ANYDEPTH (dtype uint16/float32). Its non-RGBA
/// path takes the first plane's samples as interleaved pixels (measured: a 16-bit RGB planar page
/// comes back as (R0, R1, R2), (R3, R4, R5)...). With 8-bit output it goes through libtiff's RGBA
/// reader, which is right.
bool imreadMisreadsPlanes(const Layout &layout, const tsk_output &output) noexcept;

/// The pages of `imreadMisreadsPlanes`, by value: float32 as `decodeBeyondOpenCV`; uint16 rgb from
/// unsigned 16-bit RGB as its first three samples. Anything else (uint16 gray, signed or float samples
/// in uint16) is TSK_UNSUPPORTED with a reason naming dtype float32.
cv::Mat decodeSeparatePlanes(TIFF *tif, const Layout &layout, const tsk_output &output, ScratchBuffer &raw);

} // namespace tsk
#endif
