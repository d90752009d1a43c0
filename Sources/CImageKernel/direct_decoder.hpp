/// The direct libtiff decode of page 0 into an 8-bit gray image (strips or tiles, any plane layout).
#ifndef TIFFSHARD_DIRECT_DECODER_HPP
#define TIFFSHARD_DIRECT_DECODER_HPP

#include <cstdint>
#include <tiffio.h>

#include "row_needs.hpp"
#include "scratch_buffer.hpp"
#include "tiff_reader.hpp"

namespace tsk {

/// Decodes page 0 of `tif` (a layout accepted by `isDirectlyDecodable`) into `gray`, which holds
/// width * height bytes with stride width. `raw` holds decoded strips or tiles before conversion
/// (unused for 8-bit gray strips, which are decoded in place). A strip or tile larger than the
/// pixel budget (`max_pixels` * 8 bytes, 0 = unlimited) is TSK_TOO_LARGE; libtiff read or codec
/// errors are TSK_DECODE_FAILED with libtiff's message.
/// Only the strips and tiles holding rows of `needs` are decoded (the others' rows are left as they
/// are: the resize never reads them); uncompressed 8-bit gray rows are read with one `pread` per run of
/// needed rows, straight into `gray`.
void decodeDirect(TIFF *tif, const Layout &layout, uint8_t *gray, ScratchBuffer &raw, uint64_t max_pixels,
                  const RowNeeds &needs = RowNeeds());

} // namespace tsk
#endif
