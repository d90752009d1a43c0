// CLinuxShim implementation: thin wrappers over glibc; see include/linux_shim.h for why they exist.
#define _GNU_SOURCE
#include "linux_shim.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

_Static_assert(TSL_EPOLLIN == EPOLLIN, "EPOLLIN");
_Static_assert(TSL_EPOLLOUT == EPOLLOUT, "EPOLLOUT");
_Static_assert(TSL_EPOLLERR == EPOLLERR, "EPOLLERR");
_Static_assert(TSL_EPOLLHUP == EPOLLHUP, "EPOLLHUP");
_Static_assert(TSL_EPOLLRDHUP == EPOLLRDHUP, "EPOLLRDHUP");
_Static_assert(TSL_EPOLL_CTL_ADD == EPOLL_CTL_ADD, "EPOLL_CTL_ADD");
_Static_assert(TSL_EPOLL_CTL_DEL == EPOLL_CTL_DEL, "EPOLL_CTL_DEL");
_Static_assert(TSL_EPOLL_CTL_MOD == EPOLL_CTL_MOD, "EPOLL_CTL_MOD");
_Static_assert(TSL_SIGNALFD_SIGINFO_SIZE == sizeof(struct signalfd_siginfo), "signalfd_siginfo size");
_Static_assert(TSL_SIGNALFD_SIGNO_OFFSET == offsetof(struct signalfd_siginfo, ssi_signo), "ssi_signo");
_Static_assert(sizeof(struct epoll_event) <= sizeof(tsl_epoll_event), "in-place epoll conversion");

int tsl_memfd_create(const char *name) { return memfd_create(name, MFD_CLOEXEC); }

int tsl_allocate(int fd, long long size) { return fallocate(fd, 0, 0, (off_t)size); }

int tsl_rename_noreplace(const char *from, const char *to) {
    return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
}

int tsl_pipe(int fds[2], int nonBlocking) { return pipe2(fds, O_CLOEXEC | (nonBlocking ? O_NONBLOCK : 0)); }

int tsl_set_parent_death_signal(int signal) { return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0, 0, 0); }

int tsl_set_process_name(const char *name) { return prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0); }

int tsl_prlimit(int pid, int resource, const void *newLimit, void *oldLimit) {
    return prlimit((pid_t)pid, (__rlimit_resource_t)resource, (const struct rlimit *)newLimit,
                   (struct rlimit *)oldLimit);
}

/// Builds a signal set from a list; fails with EINVAL for numbers sigaddset refuses.
static int tsl_make_sigset(sigset_t *set, const int *signals, int count) {
    sigemptyset(set);
    for (int i = 0; i < count; i++) {
        if (sigaddset(set, signals[i]) != 0) return -1;
    }
    return 0;
}

int tsl_signalfd_create(const int *signals, int count) {
    sigset_t set;
    if (tsl_make_sigset(&set, signals, count) != 0) return -1;
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int tsl_sigprocmask(int block, const int *signals, int count) {
    sigset_t set;
    if (tsl_make_sigset(&set, signals, count) != 0) return -1;
    return sigprocmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

const char *tsl_signal_abbreviation(int signal) { return sigabbrev_np(signal); }

int tsl_signal_max(void) { return SIGRTMAX; }

int tsl_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int tsl_epoll_ctl(int epfd, int op, int fd, unsigned int events, unsigned long long data) {
    struct epoll_event event;
    memset(&event, 0, sizeof event);
    event.events = events;
    event.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &event);
}

int tsl_epoll_wait(int epfd, tsl_epoll_event *events, int max, int timeoutMilliseconds) {
    // The kernel writes `struct epoll_event` (12 bytes, packed, on x86-64) into the caller's array of
    // 16-byte tsl_epoll_event; spreading them out from the last one backwards never overwrites an
    // entry that is still to be read.
    struct epoll_event *packed = (struct epoll_event *)(void *)events;
    int count = epoll_wait(epfd, packed, max, timeoutMilliseconds);
    for (int i = count - 1; i >= 0; i--) {
        struct epoll_event one;
        memcpy(&one, (char *)events + (size_t)i * sizeof(struct epoll_event), sizeof one);
        tsl_epoll_event wide = {one.events, one.data.u64};
        memcpy(&events[i], &wide, sizeof wide);
    }
    return count;
}

int tsl_timerfd_create(void) { return timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC); }

int tsl_timerfd_settime(int fd, long long initialNanoseconds, long long intervalNanoseconds) {
    struct itimerspec spec;
    spec.it_value.tv_sec = (time_t)(initialNanoseconds / 1000000000LL);
    spec.it_value.tv_nsec = (long)(initialNanoseconds % 1000000000LL);
    spec.it_interval.tv_sec = (time_t)(intervalNanoseconds / 1000000000LL);
    spec.it_interval.tv_nsec = (long)(intervalNanoseconds % 1000000000LL);
    return timerfd_settime(fd, 0, &spec, NULL);
}

int tsl_eventfd_create(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

int tsl_wifexited(int status) { return WIFEXITED(status); }
int tsl_wexitstatus(int status) { return WEXITSTATUS(status); }
int tsl_wifsignaled(int status) { return WIFSIGNALED(status); }
int tsl_wtermsig(int status) { return WTERMSIG(status); }
int tsl_wcoredump(int status) { return WCOREDUMP(status); }

int tsl_spawn_file_actions_addclosefrom(void *actions, int lowFD) {
    return posix_spawn_file_actions_addclosefrom_np((posix_spawn_file_actions_t *)actions, lowFD);
}

int tsl_terminal_columns(int fd) {
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_col == 0) return -1;
    return size.ws_col;
}
