/// Which directories of a TIFF are pages: a walk of the main IFD chain reading only NewSubfileType.
#ifndef TIFFSHARD_PAGE_LIST_HPP
#define TIFFSHARD_PAGE_LIST_HPP

#include <cstdint>
#include <vector>

#include "source_file.hpp"

namespace tsk {

/// Indices in the main IFD chain of the directories that are pages: NewSubfileType (254) without the
/// reduced-resolution bit and no old-style SubfileType (255) of 2. GDAL overviews, pyramid levels and
/// thumbnails are not pages; SubIFDs are not followed. One pread per directory; the walk stops at a
/// loop, an offset outside the file or after `limit` directories (what libtiff would read is the
/// judge of a broken chain: a directory it cannot read fails the decode of that page, not the walk).
std::vector<uint32_t> listPages(const SourceFile &file, uint32_t limit = 1u << 20);

} // namespace tsk
#endif
