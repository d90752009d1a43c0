/// The direct libtiff decode of page 0 into an 8-bit gray image (strips or tiles, any plane layout).
#ifndef TIFFSHARD_DIRECT_DECODER_HPP
#define TIFFSHARD_DIRECT_DECODER_HPP

#include <cstdint>
#include <tiffio.h>

#include "scratch_buffer.hpp"
#include "tiff_reader.hpp"

namespace tsk {

/// Decodes page 0 of `tif` (a layout accepted by `isDirectlyDecodable`) into `gray`, which holds
/// width * height bytes with stride width. `raw` holds decoded strips or tiles before conversion
/// (unused for 8-bit gray strips, which are decoded in place). A strip or tile larger than the
/// pixel budget (`max_pixels` * 8 bytes, 0 = unlimited) is TSK_TOO_LARGE; libtiff read or codec
/// errors are TSK_DECODE_FAILED with libtiff's message.
void decodeDirect(TIFF *tif, const Layout &layout, uint8_t *gray, ScratchBuffer &raw, uint64_t max_pixels);

} // namespace tsk
#endif
