/// Test-only TIFF writer: every layout, compression and byte order the image kernel must read.
///
/// Pixels are a deterministic function of (seed, page, x, y, sample): a smooth gradient with a
/// piecewise-linear wave plus hashed noise, so compression has something to do, resizing has
/// structure to preserve, and 16-bit samples use their low byte too.
#include "test_tiff.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

/// Collects the first libtiff error of a write into the caller's buffer.
typedef struct {
    char *buffer;
    size_t capacity;
} ttw_sink;

static void ttw_fail(ttw_sink *sink, const char *format, ...) {
    if (sink->buffer == NULL || sink->capacity == 0 || sink->buffer[0] != '\0') return;
    va_list args;
    va_start(args, format);
    vsnprintf(sink->buffer, sink->capacity, format, args);
    va_end(args);
}

static int ttw_on_error(TIFF *tif, void *user_data, const char *module, const char *format, va_list args) {
    (void)tif;
    ttw_sink *sink = user_data;
    if (sink->buffer == NULL || sink->capacity == 0 || sink->buffer[0] != '\0') return 1;
    int used = snprintf(sink->buffer, sink->capacity, "%s: ", module ? module : "libtiff");
    if (used >= 0 && (size_t)used < sink->capacity) vsnprintf(sink->buffer + used, sink->capacity - used, format, args);
    return 1;
}

static int ttw_on_warning(TIFF *tif, void *user_data, const char *module, const char *format, va_list args) {
    (void)tif, (void)user_data, (void)module, (void)format, (void)args;
    return 1;
}

static uint32_t ttw_hash(uint32_t x) {
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

/// The pixel value in [0, 1] for one sample; alpha (the sample after the colour ones) spans 0...1.
static double ttw_value(const ttw_spec *spec, uint32_t seed, uint32_t page, uint32_t x, uint32_t y, uint32_t s) {
    double u = (x + 0.5) / spec->width, v = (y + 0.5) / spec->height;
    uint32_t key = ttw_hash(seed * 0x9e3779b9U ^ ttw_hash(page * 0x85ebca6bU ^ ttw_hash(y * 4099U + s) ^ x));
    double noise = ((double)(key & 0xffff) / 65535.0 - 0.5) * 0.12;
    uint32_t colours = spec->samples_per_pixel >= 3 ? 3 : 1;
    double g;
    if (s >= colours) {
        g = 1.25 * u - 0.12 + noise; // alpha: fully transparent to fully opaque, both ends reached
    } else {
        double t = 1.5 * u + 2.0 * v + (seed % 997) * 0.013 + page * 0.37 + s * 0.29;
        double frac = t - (double)(long)t;
        double wave = frac < 0.5 ? 2.0 * frac : 2.0 - 2.0 * frac;
        g = 0.45 * (s == 1 ? 1.0 - u : u) + 0.3 * (s == 2 ? 1.0 - v : v) + 0.25 * wave + noise;
    }
    return g < 0.0 ? 0.0 : g > 1.0 ? 1.0 : g;
}

/// Stores `value` (0...1) as sample `index` of `buffer` in the spec's sample format.
static void ttw_store(const ttw_spec *spec, uint8_t *buffer, size_t index, double value) {
    switch (spec->bits_per_sample) {
    case 8:
        if (spec->sample_format == SAMPLEFORMAT_INT) ((int8_t *)buffer)[index] = (int8_t)(value * 255.0 - 128.0);
        else buffer[index] = (uint8_t)(value * 255.0 + 0.5);
        break;
    case 16:
        if (spec->sample_format == SAMPLEFORMAT_INT) ((int16_t *)buffer)[index] = (int16_t)(value * 65535.0 - 32768.0);
        else ((uint16_t *)buffer)[index] = (uint16_t)(value * 65535.0 + 0.5);
        break;
    case 32:
        if (spec->sample_format == SAMPLEFORMAT_IEEEFP) ((float *)buffer)[index] = (float)value;
        else ((uint32_t *)buffer)[index] = (uint32_t)(value * 4294967295.0);
        break;
    case 1:
        if (value > 0.5) buffer[index / 8] |= (uint8_t)(0x80 >> (index % 8));
        break;
    }
}

/// Fills one plane (separate) or the interleaved image (contig) of `page`; rows are byte aligned.
static void ttw_fill(const ttw_spec *spec, uint32_t seed, uint32_t page, uint16_t plane, uint8_t *buffer,
                     size_t row_bytes) {
    uint16_t spp = spec->samples_per_pixel;
    int contig = !spec->planar_separate || spp == 1;
    for (uint32_t y = 0; y < spec->height; y++) {
        uint8_t *row = buffer + (size_t)y * row_bytes;
        for (uint32_t x = 0; x < spec->width; x++) {
            if (contig) {
                for (uint16_t s = 0; s < spp; s++)
                    ttw_store(spec, row, (size_t)x * spp + s, ttw_value(spec, seed, page, x, y, s));
            } else {
                ttw_store(spec, row, x, ttw_value(spec, seed, page, x, y, plane));
            }
        }
    }
}

static uint16_t ttw_photometric(const ttw_spec *spec) {
    if (spec->photometric_palette) return PHOTOMETRIC_PALETTE;
    if (spec->ycbcr) return PHOTOMETRIC_YCBCR;
    if (spec->samples_per_pixel >= 3) return PHOTOMETRIC_RGB;
    return spec->min_is_white ? PHOTOMETRIC_MINISWHITE : PHOTOMETRIC_MINISBLACK;
}

/// Sets every tag of one page. Returns 0 on success.
static int ttw_set_tags(TIFF *tif, const ttw_spec *spec, uint32_t page, ttw_sink *sink) {
    uint16_t spp = spec->samples_per_pixel, photometric = ttw_photometric(spec);
    uint16_t planar = spec->planar_separate ? PLANARCONFIG_SEPARATE : PLANARCONFIG_CONTIG;
    int ok = TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, spec->width) &&
             TIFFSetField(tif, TIFFTAG_IMAGELENGTH, spec->height) &&
             TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, spec->bits_per_sample) &&
             TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, spp) &&
             TIFFSetField(tif, TIFFTAG_COMPRESSION, spec->compression) &&
             TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, photometric) && TIFFSetField(tif, TIFFTAG_PLANARCONFIG, planar);
    if (ok && spec->sample_format > 1) ok = TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, spec->sample_format);
    uint16_t colours = spp >= 3 ? 3 : 1;
    if (ok && spp > colours && spec->alpha_kind != 3) {
        uint16_t kinds[3] = {EXTRASAMPLE_UNASSALPHA, EXTRASAMPLE_ASSOCALPHA, EXTRASAMPLE_UNSPECIFIED};
        uint16_t extra[4] = {kinds[spec->alpha_kind % 3], EXTRASAMPLE_UNSPECIFIED, EXTRASAMPLE_UNSPECIFIED, 0};
        ok = TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, spp - colours, extra);
    }
    if (ok && spec->orientation) ok = TIFFSetField(tif, TIFFTAG_ORIENTATION, spec->orientation);
    if (ok && spec->pages > 1) {
        ok = TIFFSetField(tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE) &&
             TIFFSetField(tif, TIFFTAG_PAGENUMBER, (uint16_t)page, spec->pages);
    }
    if (ok && spec->predictor > 1) ok = TIFFSetField(tif, TIFFTAG_PREDICTOR, spec->predictor);
    if (ok && spec->compression == COMPRESSION_JPEG) {
        ok = TIFFSetField(tif, TIFFTAG_JPEGQUALITY, spec->jpeg_quality ? spec->jpeg_quality : 90);
        if (ok && spec->ycbcr) ok = TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
    }
    if (ok && spec->compression == COMPRESSION_WEBP) ok = TIFFSetField(tif, TIFFTAG_WEBP_LOSSLESS, 1);
    if (ok && spec->photometric_palette) {
        uint16_t red[256], green[256], blue[256];
        for (int i = 0; i < 256; i++) {
            red[i] = (uint16_t)(i * 257);
            green[i] = (uint16_t)((255 - i) * 257);
            blue[i] = (uint16_t)(((i * 7) & 255) * 257);
        }
        ok = TIFFSetField(tif, TIFFTAG_COLORMAP, red, green, blue);
    }
    if (ok && spec->tile_width) {
        ok = TIFFSetField(tif, TIFFTAG_TILEWIDTH, spec->tile_width) &&
             TIFFSetField(tif, TIFFTAG_TILELENGTH, spec->tile_height ? spec->tile_height : spec->tile_width);
    } else if (ok) {
        uint32_t rows = spec->rows_per_strip ? spec->rows_per_strip : TIFFDefaultStripSize(tif, 0);
        if (spec->compression == COMPRESSION_JPEG) rows = (rows + 15) / 16 * 16; // whole MCU rows
        ok = TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, rows);
    }
    if (!ok) ttw_fail(sink, "could not set the tags of page %u", page);
    return ok ? 0 : -1;
}

/// Writes the strips or tiles of one plane from `image` (height rows of `row_bytes`).
static int ttw_write_plane(TIFF *tif, const ttw_spec *spec, uint16_t plane, uint8_t *image, size_t row_bytes,
                           ttw_sink *sink) {
    if (!spec->tile_width) {
        uint32_t rows = 0;
        TIFFGetField(tif, TIFFTAG_ROWSPERSTRIP, &rows);
        for (uint32_t y = 0; y < spec->height; y += rows) {
            uint32_t n = spec->height - y < rows ? spec->height - y : rows;
            if (TIFFWriteEncodedStrip(tif, TIFFComputeStrip(tif, y, plane), image + (size_t)y * row_bytes,
                                      (tmsize_t)(n * row_bytes)) < 0) {
                ttw_fail(sink, "TIFFWriteEncodedStrip failed at row %u", y);
                return -1;
            }
        }
        return 0;
    }
    uint32_t tw = spec->tile_width, th = spec->tile_height ? spec->tile_height : spec->tile_width;
    size_t pixel_bytes = row_bytes / spec->width, tile_row = (size_t)tw * pixel_bytes;
    uint8_t *tile = malloc(tile_row * th);
    if (tile == NULL) return -1;
    for (uint32_t y = 0; y < spec->height; y += th) {
        for (uint32_t x = 0; x < spec->width; x += tw) {
            memset(tile, 0, tile_row * th);
            uint32_t w = spec->width - x < tw ? spec->width - x : tw;
            for (uint32_t r = 0; r < th && y + r < spec->height; r++)
                memcpy(tile + r * tile_row, image + (size_t)(y + r) * row_bytes + x * pixel_bytes, w * pixel_bytes);
            if (TIFFWriteEncodedTile(tif, TIFFComputeTile(tif, x, y, 0, plane), tile, (tmsize_t)(tile_row * th)) < 0) {
                ttw_fail(sink, "TIFFWriteEncodedTile failed at %u,%u", x, y);
                free(tile);
                return -1;
            }
        }
    }
    free(tile);
    return 0;
}

static int ttw_write_page(TIFF *tif, const ttw_spec *spec, uint32_t seed, uint32_t page, ttw_sink *sink) {
    if (ttw_set_tags(tif, spec, page, sink) != 0) return -1;
    int separate = spec->planar_separate && spec->samples_per_pixel > 1;
    uint16_t planes = separate ? spec->samples_per_pixel : 1, per_row = separate ? 1 : spec->samples_per_pixel;
    size_t row_bytes = spec->bits_per_sample == 1 ? (spec->width + 7) / 8
                                                  : (size_t)spec->width * per_row * (spec->bits_per_sample / 8);
    uint8_t *image = calloc(spec->height, row_bytes);
    if (image == NULL) {
        ttw_fail(sink, "out of memory");
        return -1;
    }
    int result = 0;
    for (uint16_t plane = 0; plane < planes && result == 0; plane++) {
        memset(image, 0, row_bytes * spec->height);
        ttw_fill(spec, seed, page, plane, image, row_bytes);
        result = ttw_write_plane(tif, spec, plane, image, row_bytes, sink);
    }
    free(image);
    if (result == 0 && !TIFFWriteDirectory(tif)) {
        ttw_fail(sink, "TIFFWriteDirectory failed for page %u", page);
        result = -1;
    }
    return result;
}

static int ttw_validate(const ttw_spec *spec, ttw_sink *sink) {
    uint16_t bits = spec->bits_per_sample, spp = spec->samples_per_pixel;
    if (spec->width == 0 || spec->height == 0) ttw_fail(sink, "empty image");
    else if (bits != 1 && bits != 8 && bits != 16 && bits != 32) ttw_fail(sink, "unsupported bits %u", bits);
    else if (spp < 1 || spp > 4) ttw_fail(sink, "unsupported samples per pixel %u", spp);
    else if (bits == 1 && (spp != 1 || spec->tile_width)) ttw_fail(sink, "1-bit images are gray strips only");
    else if (spec->photometric_palette && (bits != 8 || spp != 1)) ttw_fail(sink, "palette images are 8-bit, 1 sample");
    else if (spec->ycbcr && (spec->compression != COMPRESSION_JPEG || spp != 3 || spec->planar_separate))
        ttw_fail(sink, "YCbCr is written only as contiguous JPEG-in-TIFF");
    else if (spec->tile_width % 16 || spec->tile_height % 16) ttw_fail(sink, "tile sizes must be multiples of 16");
    else if (!TIFFIsCODECConfigured(spec->compression))
        ttw_fail(sink, "compression %u not configured", spec->compression);
    else return 0;
    return -1;
}

int ttw_write(const char *path, const ttw_spec *spec, uint32_t seed, char *error, size_t error_capacity) {
    ttw_sink sink = {error, error_capacity};
    if (error != NULL && error_capacity > 0) error[0] = '\0';
    if (ttw_validate(spec, &sink) != 0) return -1;
    char mode[8] = "w";
    if (spec->big_tiff) strcat(mode, "8");
    strcat(mode, spec->big_endian ? "b" : "l");
    TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
    TIFFOpenOptionsSetErrorHandlerExtR(options, ttw_on_error, &sink);
    TIFFOpenOptionsSetWarningHandlerExtR(options, ttw_on_warning, &sink);
    TIFF *tif = TIFFOpenExt(path, mode, options);
    TIFFOpenOptionsFree(options);
    if (tif == NULL) {
        ttw_fail(&sink, "TIFFOpen(%s) failed", path);
        return -1;
    }
    uint16_t pages = spec->pages ? spec->pages : 1;
    int result = 0;
    for (uint16_t page = 0; page < pages && result == 0; page++) result = ttw_write_page(tif, spec, seed, page, &sink);
    TIFFClose(tif);
    if (result == 0 && error != NULL && error_capacity > 0 && error[0] != '\0') result = -1; // error while closing
    return result;
}

static void ttw_put16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void ttw_put32(uint8_t *p, uint32_t v) {
    ttw_put16(p, (uint16_t)v);
    ttw_put16(p + 2, (uint16_t)(v >> 16));
}

int ttw_write_lying_header(const char *path, uint32_t width, uint32_t height) {
    enum { entries = 9, data_offset = 128, data_bytes = 40960 };
    static const uint16_t tags[entries] = {256, 257, 258, 259, 262, 273, 277, 278, 279};
    const uint16_t types[entries] = {4, 4, 3, 3, 3, 4, 3, 4, 4};
    const uint32_t values[entries] = {width, height, 8, 1, 1, data_offset, 1, height, data_bytes};
    uint8_t header[data_offset] = {'I', 'I', 42, 0, 8, 0, 0, 0};
    ttw_put16(header + 8, entries);
    for (int i = 0; i < entries; i++) {
        uint8_t *entry = header + 10 + 12 * i;
        ttw_put16(entry, tags[i]);
        ttw_put16(entry + 2, types[i]);
        ttw_put32(entry + 4, 1);
        if (types[i] == 3) ttw_put16(entry + 8, (uint16_t)values[i]);
        else ttw_put32(entry + 8, values[i]);
    }
    // next-IFD offset (0) and padding are already zero.
    FILE *file = fopen(path, "wbe");
    if (file == NULL) return -1;
    uint8_t data[1024];
    for (int i = 0; i < (int)sizeof data; i++) data[i] = (uint8_t)(i * 31);
    int ok = fwrite(header, 1, sizeof header, file) == sizeof header;
    for (int i = 0; ok && i < data_bytes / (int)sizeof data; i++)
        ok = fwrite(data, 1, sizeof data, file) == sizeof data;
    if (fclose(file) != 0) ok = 0;
    return ok ? 0 : -1;
}
