// sandbox_probe: does every kernel and library facility tiffshard needs work inside the
// sandbox of systemd/tiffshard.service? Installed as /usr/local/bin/tiffshard by
// test_harness.py, it runs under the real unit (seccomp @system-service minus @privileged
// and @resources, MemoryDenyWriteExecute, PrivateUsers, ProtectProc=invisible, ProcSubset=pid,
// RestrictAddressFamilies=AF_UNIX, RestrictNamespaces, ...) before the real daemon exists.
//
// `run`: inotify, signalfd, timerfd, epoll, memfd + shared mmap, AF_UNIX socketpair,
// posix_spawn of /proc/self/exe; the child ("worker") lowers RLIMIT_AS, decodes a TIFF it
// wrote with libtiff and cv::resize()s it into the shared memfd. Then READY=1 with a STATUS
// naming each check, and SIGTERM -> exit 0. Any failure: STATUS=FAILED ..., exit 70.
// `check-config`: exit 0. Build: g++ -O1 -o probe sandbox_probe.cpp $(pkg-config ...).
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <tiffio.h>
#include <systemd/sd-daemon.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static std::string done;

static void check(bool ok, const char *what) {
    if (!ok) {
        std::string msg = std::string("STATUS=FAILED ") + what + ": " + strerror(errno);
        fprintf(stderr, "%s\n", msg.c_str());
        sd_notify(0, msg.c_str());
        _exit(70);
    }
    done += done.empty() ? what : std::string(", ") + what;
}

// The worker: shared memory on fd 3 (inherited), writes a 32x24 resized image into it.
static int worker() {
    struct rlimit as = {1UL << 32, 1UL << 32};
    if (setrlimit(RLIMIT_AS, &as) != 0) return 10;
    cv::setNumThreads(0);
    const char *path = "/tmp/probe.tif";  // PrivateTmp: the service's own /tmp
    TIFF *out = TIFFOpen(path, "w");
    if (!out) return 11;
    const int w = 64, h = 48;
    TIFFSetField(out, TIFFTAG_IMAGEWIDTH, w);
    TIFFSetField(out, TIFFTAG_IMAGELENGTH, h);
    TIFFSetField(out, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField(out, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(out, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField(out, TIFFTAG_ROWSPERSTRIP, h);
    unsigned char row[w];
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) row[x] = (unsigned char)(x + y);
        TIFFWriteScanline(out, row, y, 0);
    }
    TIFFClose(out);
    TIFF *in = TIFFOpen(path, "r");
    if (!in) return 12;
    cv::Mat src(h, w, CV_8UC1);
    for (int y = 0; y < h; y++) TIFFReadScanline(in, src.ptr(y), y, 0);
    TIFFClose(in);
    void *shared = mmap(nullptr, 32 * 24, PROT_READ | PROT_WRITE, MAP_SHARED, 3, 0);
    if (shared == MAP_FAILED) return 13;
    cv::Mat dst(24, 32, CV_8UC1, shared);
    cv::resize(src, dst, dst.size(), 0, 0, cv::INTER_LINEAR);
    return dst.at<unsigned char>(23, 31) != 0 ? 0 : 14;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "worker") == 0) return worker();
    if (argc > 1 && strcmp(argv[1], "check-config") == 0) return 0;

    int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    check(in >= 0 && inotify_add_watch(in, ".", IN_CLOSE_WRITE | IN_MOVED_TO) >= 0, "inotify");
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGHUP);
    sigaddset(&mask, SIGCHLD);
    check(sigprocmask(SIG_BLOCK, &mask, nullptr) == 0, "sigprocmask");
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
    check(sfd >= 0, "signalfd");
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    check(tfd >= 0, "timerfd");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {};
    ev.events = EPOLLIN;
    ev.data.fd = sfd;
    check(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev) == 0, "epoll");
    int mfd = memfd_create("shard", MFD_CLOEXEC);
    check(mfd >= 0 && ftruncate(mfd, 32 * 24) == 0, "memfd");
    void *ring = mmap(nullptr, 32 * 24, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
    check(ring != MAP_FAILED, "mmap-shared");
    int sv[2];
    check(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0, "socketpair");

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, mfd, 3);  // dup2 clears close-on-exec on fd 3
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    char *args[] = {(char *)"tiffshard", (char *)"worker", nullptr};
    pid_t child;
    errno = posix_spawn(&child, "/proc/self/exe", &fa, &attr, args, environ);
    check(errno == 0, "posix_spawn(/proc/self/exe)");
    int status = 0;
    check(waitpid(child, &status, 0) == child, "waitpid");
    errno = 0;
    check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
          ("worker: setrlimit(RLIMIT_AS)+libtiff+cv::resize into memfd, status " +
           std::to_string(status)).c_str());
    check(((unsigned char *)ring)[32 * 24 - 1] != 0, "shared row written");

    std::string ready = "READY=1\nSTATUS=probe ok: " + done;
    sd_notify(0, ready.c_str());
    fprintf(stderr, "%s\n", ready.c_str() + 8);
    for (;;) {
        struct epoll_event got;
        if (epoll_wait(ep, &got, 1, -1) != 1) continue;
        struct signalfd_siginfo si;
        if (read(sfd, &si, sizeof si) == sizeof si && si.ssi_signo == SIGTERM) {
            sd_notify(0, "STOPPING=1");
            return 0;
        }
    }
}
