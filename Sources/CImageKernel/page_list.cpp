/// Walk of the main IFD chain (see page_list.hpp).
#include "page_list.hpp"

#include <unordered_set>

namespace tsk {
namespace {

/// Integers of the file's byte order.
struct Order {
    bool little = true;
    uint64_t get(const uint8_t *p, int bytes) const noexcept {
        uint64_t v = 0;
        for (int i = 0; i < bytes; i++) v |= uint64_t(p[little ? i : bytes - 1 - i]) << (8 * i);
        return v;
    }
};

} // namespace

std::vector<uint32_t> listPages(const SourceFile &file, uint32_t limit) {
    std::vector<uint32_t> pages;
    uint8_t header[16] = {};
    if (file.readAt(header, sizeof header, 0) < 8) return pages;
    Order order{header[0] == 'I'};
    const bool big = file.isBigTIFF();
    const int countBytes = big ? 8 : 2, entryBytes = big ? 20 : 12, offsetBytes = big ? 8 : 4;
    uint64_t offset = big ? order.get(header + 8, 8) : order.get(header + 4, 4);
    std::unordered_set<uint64_t> seen;
    std::vector<uint8_t> entries;
    for (uint32_t index = 0; offset != 0 && index < limit; index++) {
        if (offset >= file.size() || !seen.insert(offset).second) break;
        uint8_t countField[8] = {};
        if (file.readAt(countField, countBytes, offset) != countBytes) break;
        const uint64_t count = order.get(countField, countBytes);
        if (count == 0 || count > 65535) break;
        const size_t tableBytes = count * entryBytes + offsetBytes;
        entries.resize(tableBytes);
        if (file.readAt(entries.data(), tableBytes, offset + countBytes) != static_cast<ssize_t>(tableBytes)) break;
        bool reduced = false;
        for (uint64_t e = 0; e < count; e++) {
            const uint8_t *entry = entries.data() + e * entryBytes;
            const uint64_t tag = order.get(entry, 2), type = order.get(entry + 2, 2);
            // The value is inline; SHORT values sit in the first two bytes of the field.
            const uint8_t *field = entry + (big ? 12 : 8);
            const uint64_t value = type == 3 ? order.get(field, 2) : order.get(field, 4);
            if (tag == 254 && (value & 1) != 0) reduced = true;  // FILETYPE_REDUCEDIMAGE
            if (tag == 255 && value == 2) reduced = true;        // OFILETYPE_REDUCEDIMAGE
        }
        if (!reduced) pages.push_back(index);
        offset = order.get(entries.data() + count * entryBytes, offsetBytes);
    }
    return pages;
}

} // namespace tsk
