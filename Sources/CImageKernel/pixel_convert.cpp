/// Row converters to gray (see pixel_convert.hpp for the exact formulas and where they come from).
#include "pixel_convert.hpp"

#include <cstring>

namespace tsk {
namespace {

/// libtiff's 16-to-8-bit and unassociated-alpha tables, computed exactly as tif_getimage.c does.
struct Tables {
    uint8_t depth16To8[65536];
    uint8_t premultiply[256][256]; ///< [alpha][value]
};

const Tables &tables() {
    static const Tables *const instance = [] {
        auto *t = new Tables;
        for (uint32_t n = 0; n < 65536; n++) t->depth16To8[n] = static_cast<uint8_t>((n + 128) / 257);
        for (uint32_t a = 0; a < 256; a++)
            for (uint32_t v = 0; v < 256; v++) t->premultiply[a][v] = static_cast<uint8_t>((v * a + 127) / 255);
        return t;
    }();
    return *instance;
}

/// OpenCV's icvCvt_BGRA2Gray_8u_C4C1R: fixed point with 14 fraction bits, rounded.
inline uint8_t grayOf(uint32_t r, uint32_t g, uint32_t b) {
    return static_cast<uint8_t>((4899 * r + 9617 * g + 1868 * b + 8192) >> 14);
}

void copyGray8(const void *const channels[4], size_t count, uint8_t *out) {
    std::memcpy(out, channels[0], count);
}

void gray16(const void *const channels[4], size_t count, uint8_t *out) {
    const auto *v = static_cast<const uint16_t *>(channels[0]);
    for (size_t i = 0; i < count; i++) out[i] = static_cast<uint8_t>(v[i] >> 8);
}

template <size_t Step, bool Premultiply>
void rgb8(const void *const channels[4], size_t count, uint8_t *out) {
    const auto *r = static_cast<const uint8_t *>(channels[0]);
    const auto *g = static_cast<const uint8_t *>(channels[1]);
    const auto *b = static_cast<const uint8_t *>(channels[2]);
    if constexpr (Premultiply) {
        const auto *a = static_cast<const uint8_t *>(channels[3]);
        const Tables &t = tables();
        for (size_t i = 0, k = 0; i < count; i++, k += Step) {
            const uint8_t *m = t.premultiply[a[k]];
            out[i] = grayOf(m[r[k]], m[g[k]], m[b[k]]);
        }
    } else {
        for (size_t i = 0, k = 0; i < count; i++, k += Step) out[i] = grayOf(r[k], g[k], b[k]);
    }
}

template <size_t Step, bool Premultiply>
void rgb16(const void *const channels[4], size_t count, uint8_t *out) {
    const auto *r = static_cast<const uint16_t *>(channels[0]);
    const auto *g = static_cast<const uint16_t *>(channels[1]);
    const auto *b = static_cast<const uint16_t *>(channels[2]);
    const Tables &t = tables();
    const uint8_t *to8 = t.depth16To8;
    if constexpr (Premultiply) {
        const auto *a = static_cast<const uint16_t *>(channels[3]);
        for (size_t i = 0, k = 0; i < count; i++, k += Step) {
            const uint8_t *m = t.premultiply[to8[a[k]]];
            out[i] = grayOf(m[to8[r[k]]], m[to8[g[k]]], m[to8[b[k]]]);
        }
    } else {
        for (size_t i = 0, k = 0; i < count; i++, k += Step) out[i] = grayOf(to8[r[k]], to8[g[k]], to8[b[k]]);
    }
}

template <template <size_t, bool> class Kind>
RowConverter pick(size_t step, bool premultiply) {
    switch (step) {
    case 1: return premultiply ? Kind<1, true>::convert : Kind<1, false>::convert;
    case 3: return Kind<3, false>::convert;
    default: return premultiply ? Kind<4, true>::convert : Kind<4, false>::convert;
    }
}

template <size_t Step, bool Premultiply> struct Rgb8 {
    static constexpr RowConverter convert = rgb8<Step, Premultiply>;
};
template <size_t Step, bool Premultiply> struct Rgb16 {
    static constexpr RowConverter convert = rgb16<Step, Premultiply>;
};

} // namespace

Conversion chooseConversion(const Layout &layout) noexcept {
    Conversion conversion;
    if (layout.photometric == PHOTOMETRIC_MINISBLACK) {
        conversion.isGray8 = layout.bits == 8;
        conversion.convert = layout.bits == 8 ? copyGray8 : gray16;
        return conversion;
    }
    // RGB, 3 or 4 samples. TIFFRGBAImageBegin treats an "unspecified" extra sample as associated
    // alpha, which (like a missing ExtraSamples tag) leaves the colour channels untouched.
    bool premultiply = premultipliesAlpha(layout);
    size_t step = layout.planar == PLANARCONFIG_SEPARATE ? 1 : layout.samples;
    conversion.channelsUsed = premultiply ? 4 : 3;
    conversion.convert = layout.bits == 8 ? pick<Rgb8>(step, premultiply) : pick<Rgb16>(step, premultiply);
    return conversion;
}

void prepareConversionTables() noexcept { (void)tables(); }

const uint8_t *depth16To8() noexcept { return tables().depth16To8; }

const uint8_t *premultiplied(uint8_t alpha) noexcept { return tables().premultiply[alpha]; }

bool premultipliesAlpha(const Layout &layout) noexcept {
    return layout.samples == 4 && layout.extraSamples == 1 && layout.firstExtra == EXTRASAMPLE_UNASSALPHA;
}

} // namespace tsk
