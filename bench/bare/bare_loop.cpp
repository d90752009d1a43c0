// The bare full-decode loop: what a C++ programmer writes in ten minutes with libtiff and OpenCV,
// the yardstick of `run.py strips`. No process pool, no shared ring, no shards, no fsync.
//
//   bare_loop [--threads N] [--width W] [--height H] [--no-mmap] [--out ROWS.npy] SRC...
//
// SRC is a directory (its *.tif and *.tiff files, sorted by name, like baseline.py) or a file.
// N threads take files from one shared index; each does, per file: TIFFOpen(path, "r"), read
// every strip with TIFFReadEncodedStrip into one buffer (the whole image), cv::resize to W x H
// (INTER_LINEAR) into the file's row of one N x H x W array. `--out` saves that array as .npy
// (in the sorted file order) after the timed loop. OpenCV runs single-threaded
// (cv::setNumThreads(0)), like tiffshard's kernel: the threads are the parallelism.
//
// Only 8-bit, 1-sample, stripped images are decoded (the strip corpora); anything else is
// counted as failed and its row left zero. The last stderr line is
//   bare: converted N images in T s (R img/s); failed K
//
// Built by bench/benchkit/bare.py:
//   g++ -O2 -std=c++17 -I/usr/include/opencv4 bare_loop.cpp -ltiff -lopencv_imgproc -lopencv_core -pthread

#include <tiffio.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <vector>

namespace {

struct Options {
    int threads = 2;
    int width = 256;
    int height = 256;
    bool mmap = true;
    std::string out;
    std::vector<std::string> sources;
};

[[noreturn]] void usage(const char *message) {
    std::fprintf(stderr, "bare_loop: %s\nusage: bare_loop [--threads N] [--width W] [--height H] [--no-mmap] "
                         "[--out ROWS.npy] SRC...\n", message);
    std::exit(64);
}

Options parse(int argc, char **argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> const char * {
            if (i + 1 >= argc) usage(("missing value after " + arg).c_str());
            return argv[++i];
        };
        if (arg == "--threads") options.threads = std::atoi(value());
        else if (arg == "--width") options.width = std::atoi(value());
        else if (arg == "--height") options.height = std::atoi(value());
        else if (arg == "--out") options.out = value();
        else if (arg == "--no-mmap") options.mmap = false;
        else if (arg.rfind("--", 0) == 0) usage(("unknown option " + arg).c_str());
        else options.sources.push_back(arg);
    }
    if (options.threads < 1 || options.width < 1 || options.height < 1) usage("--threads, --width, --height must be >= 1");
    if (options.sources.empty()) usage("no SRC");
    return options;
}

bool hasSuffix(const std::string &name, const char *suffix) {
    size_t n = std::strlen(suffix);
    return name.size() >= n && name.compare(name.size() - n, n, suffix) == 0;
}

/// The files of every SRC: a directory's *.tif / *.tiff sorted by name, a file as given.
std::vector<std::string> listFiles(const std::vector<std::string> &sources) {
    std::vector<std::string> files;
    for (const auto &source : sources) {
        struct stat st {};
        if (::stat(source.c_str(), &st) != 0) usage(("cannot stat " + source).c_str());
        if (!S_ISDIR(st.st_mode)) {
            files.push_back(source);
            continue;
        }
        std::vector<std::string> names;
        DIR *dir = ::opendir(source.c_str());
        if (dir == nullptr) usage(("cannot open directory " + source).c_str());
        while (dirent *entry = ::readdir(dir)) {
            std::string name = entry->d_name;
            if (name[0] != '.' && (hasSuffix(name, ".tif") || hasSuffix(name, ".tiff"))) names.push_back(name);
        }
        ::closedir(dir);
        std::sort(names.begin(), names.end());
        for (const auto &name : names) files.push_back(source + "/" + name);
    }
    return files;
}

/// Decodes every strip of `path` into `pixels` and resizes it into `row`; false if it cannot.
bool decodeOne(const std::string &path, bool mmap, std::vector<uint8_t> &pixels, cv::Mat &row) {
    TIFF *tif = TIFFOpen(path.c_str(), mmap ? "r" : "rm");
    if (tif == nullptr) return false;
    uint32_t width = 0, height = 0;
    uint16_t bits = 0, samples = 1;
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &samples);
    bool ok = bits == 8 && samples == 1 && !TIFFIsTiled(tif) && width > 0 && height > 0;
    if (ok) {
        size_t size = size_t(width) * height;
        pixels.resize(size);
        size_t done = 0;
        uint32_t strips = TIFFNumberOfStrips(tif);
        for (uint32_t s = 0; s < strips && ok; ++s) {
            tmsize_t n = TIFFReadEncodedStrip(tif, s, pixels.data() + done, tmsize_t(size - done));
            ok = n > 0;
            done += ok ? size_t(n) : 0;
        }
        ok = ok && done == size;
        if (ok) {
            cv::Mat image(int(height), int(width), CV_8UC1, pixels.data());
            cv::resize(image, row, row.size(), 0, 0, cv::INTER_LINEAR);
        }
    }
    TIFFClose(tif);
    return ok;
}

/// A NumPy .npy (format 1.0) holding `rows` as uint8 count x height x width.
bool saveNPY(const std::string &path, const std::vector<uint8_t> &rows, size_t count, int height, int width) {
    std::string header = "{'descr': '|u1', 'fortran_order': False, 'shape': (" + std::to_string(count) + ", " +
                         std::to_string(height) + ", " + std::to_string(width) + "), }";
    size_t total = 10 + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header.push_back('\n');
    FILE *file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) return false;
    const unsigned char magic[8] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    uint16_t length = uint16_t(header.size());
    unsigned char le[2] = {uint8_t(length & 0xff), uint8_t(length >> 8)};
    bool ok = std::fwrite(magic, 1, 8, file) == 8 && std::fwrite(le, 1, 2, file) == 2 &&
              std::fwrite(header.data(), 1, header.size(), file) == header.size() &&
              std::fwrite(rows.data(), 1, rows.size(), file) == rows.size();
    return std::fclose(file) == 0 && ok;
}

} // namespace

int main(int argc, char **argv) {
    auto started = std::chrono::steady_clock::now();
    Options options = parse(argc, argv);
    std::vector<std::string> files = listFiles(options.sources);
    TIFFSetWarningHandler(nullptr);
    TIFFSetErrorHandler(nullptr);
    cv::setNumThreads(0);

    size_t rowBytes = size_t(options.width) * options.height;
    std::vector<uint8_t> rows(files.size() * rowBytes, 0);
    std::atomic<size_t> next{0};
    std::atomic<size_t> failed{0};
    auto work = [&] {
        std::vector<uint8_t> pixels;
        for (size_t i = next++; i < files.size(); i = next++) {
            cv::Mat row(options.height, options.width, CV_8UC1, rows.data() + i * rowBytes);
            if (!decodeOne(files[i], options.mmap, pixels, row)) ++failed;
        }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < options.threads; ++t) threads.emplace_back(work);
    for (auto &thread : threads) thread.join();

    if (!options.out.empty() && !saveNPY(options.out, rows, files.size(), options.height, options.width)) {
        std::fprintf(stderr, "bare_loop: cannot write %s\n", options.out.c_str());
        return 74;
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    size_t converted = files.size() - failed.load();
    std::fprintf(stderr, "bare: converted %zu images in %.3f s (%.1f img/s); failed %zu\n", converted, seconds,
                 double(converted) / seconds, failed.load());
    return failed.load() == 0 ? 0 : 1;
}
