/* Preloaded into the compiler during rex's dependency scan, this library
 * writes down every file its preprocessor (cc1, cc1plus, clang -cc1) asks
 * for by name: each open and stat, whether it succeeded, and the path as
 * asked. rex then holds the compiler's own account of what it looked for
 * against what the cache key covers. The driver process loads it too but
 * writes nothing.
 *
 * Each record is the process's role ('c' a preprocessor of its own, 'd'
 * clang's driver, which preprocesses inside its own process after its own
 * lookups of the toolchain and the system), a kind ('o' open, 's' stat of
 * a file, 'd' stat of a directory, 'a' access), '+' or '-' for found or
 * not, 'r' or 'w' for the access, the path, and a NUL. A path relative to
 * a directory descriptor is written after that directory's path; one that
 * cannot be resolved is written as kind '?'. The records go to the
 * descriptor named by REX_LOOKUPS_FD. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int log_fd = -1;
static char role;
static char buf[1 << 16];
static size_t used;
static int busy;

static void flush_log(void) {
	size_t off = 0;
	while (off < used) {
		ssize_t n = write(log_fd, buf + off, used - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	used = 0;
}

static void put(const char *s, size_t n) {
	while (n > 0) {
		size_t room = sizeof buf - used;
		if (room == 0) {
			flush_log();
			continue;
		}
		size_t k = n < room ? n : room;
		memcpy(buf + used, s, k);
		used += k, s += k, n -= k;
	}
}

static void note(char kind, int dirfd, const char *path, int found, int writes) {
	if (log_fd < 0 || path == NULL)
		return;
	while (__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE))
		;
	int saved = errno;
	char dir[4096];
	size_t dirlen = 0;
	if (path[0] != '/' && dirfd != AT_FDCWD) {
		char link[64];
		snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
		ssize_t n = readlink(link, dir, sizeof dir - 1);
		if (n <= 0)
			kind = '?';
		else
			dirlen = (size_t)n;
	}
	char head[4] = {role, kind, found ? '+' : '-', writes ? 'w' : 'r'};
	/* A record goes out in one write: a preprocessor of its own shares
	 * the descriptor with its driver. */
	size_t len = strlen(path);
	if (used + sizeof head + dirlen + 1 + len + 1 > sizeof buf)
		flush_log();
	put(head, 4);
	if (dirlen > 0) {
		put(dir, dirlen);
		put("/", 1);
	}
	put(path, len + 1);
	errno = saved;
	__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
}

__attribute__((constructor)) static void start(void) {
	const char *fd = getenv("REX_LOOKUPS_FD");
	if (fd == NULL)
		return;
	char cmd[4096];
	int f = open("/proc/self/cmdline", O_RDONLY);
	if (f < 0)
		return;
	ssize_t n = read(f, cmd, sizeof cmd - 1);
	close(f);
	if (n <= 0)
		return;
	cmd[n] = 0;
	size_t len0 = strlen(cmd);
	const char *arg1 = (size_t)n > len0 + 1 ? cmd + len0 + 1 : "";
	/* The program's own name: clang is often run as cc or c++. */
	char exe[4096];
	ssize_t m = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (m <= 0)
		return;
	exe[m] = 0;
	const char *base = strrchr(exe, '/');
	base = base ? base + 1 : exe;
	if (strncmp(base, "cc1", 3) == 0 || strcmp(arg1, "-cc1") == 0)
		role = 'c';
	else if (strncmp(base, "clang", 5) == 0)
		role = 'd';
	else
		return;
	log_fd = atoi(fd);
}

__attribute__((destructor)) static void stop(void) {
	if (log_fd >= 0)
		flush_log();
}

#define REAL(name)                                                             \
	static __typeof__(name) *real;                                         \
	if (real == NULL)                                                      \
		real = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

static int writes(int flags) { return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)); }

static mode_t mode_of(int flags, va_list ap) {
	return (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
}

/* An open that found a directory found no file: the preprocessor skips
 * it and searches on. */
static char open_kind(int fd) {
	struct stat st;
	int saved = errno;
	char kind = fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) ? 'd' : 'o';
	errno = saved;
	return kind;
}

#define OPEN(name)                                                             \
	int name(const char *path, int flags, ...) {                           \
		REAL(name);                                                    \
		va_list ap;                                                    \
		va_start(ap, flags);                                           \
		mode_t mode = mode_of(flags, ap);                              \
		va_end(ap);                                                    \
		int fd = real(path, flags, mode);                              \
		note(open_kind(fd), AT_FDCWD, path, fd >= 0, writes(flags));   \
		return fd;                                                     \
	}
OPEN(open)
OPEN(open64)

#define OPENAT(name)                                                           \
	int name(int dirfd, const char *path, int flags, ...) {                \
		REAL(name);                                                    \
		va_list ap;                                                    \
		va_start(ap, flags);                                           \
		mode_t mode = mode_of(flags, ap);                              \
		va_end(ap);                                                    \
		int fd = real(dirfd, path, flags, mode);                       \
		note(open_kind(fd), dirfd, path, fd >= 0, writes(flags));      \
		return fd;                                                     \
	}
OPENAT(openat)
OPENAT(openat64)

/* The fortified forms of open that _FORTIFY_SOURCE builds call. */
#define OPEN2(name)                                                            \
	int name(const char *path, int flags) {                                \
		REAL(name);                                                    \
		int fd = real(path, flags);                                    \
		note(open_kind(fd), AT_FDCWD, path, fd >= 0, writes(flags));   \
		return fd;                                                     \
	}
OPEN2(__open_2)
OPEN2(__open64_2)

#define OPENAT2(name)                                                          \
	int name(int dirfd, const char *path, int flags) {                     \
		REAL(name);                                                    \
		int fd = real(dirfd, path, flags);                             \
		note(open_kind(fd), dirfd, path, fd >= 0, writes(flags));      \
		return fd;                                                     \
	}
OPENAT2(__openat_2)
OPENAT2(__openat64_2)

#define FOPEN(name)                                                            \
	FILE *name(const char *path, const char *mode) {                       \
		REAL(name);                                                    \
		FILE *f = real(path, mode);                                    \
		note(open_kind(f ? fileno(f) : -1), AT_FDCWD, path, f != NULL, mode[0] != 'r' || strchr(mode, '+') != NULL); \
		return f;                                                      \
	}
FOPEN(fopen)
FOPEN(fopen64)

static char stat_kind(int ok, mode_t mode) { return ok && S_ISDIR(mode) ? 'd' : 's'; }

#define STAT(name, type)                                                       \
	int name(const char *path, struct type *st) {                          \
		REAL(name);                                                    \
		int r = real(path, st);                                        \
		note(stat_kind(r == 0, r == 0 ? st->st_mode : 0), AT_FDCWD, path, r == 0, 0); \
		return r;                                                      \
	}
STAT(stat, stat)
STAT(stat64, stat64)
STAT(lstat, stat)
STAT(lstat64, stat64)

#define FSTATAT(name, type)                                                    \
	int name(int dirfd, const char *path, struct type *st, int flags) {    \
		REAL(name);                                                    \
		int r = real(dirfd, path, st, flags);                          \
		if (path[0] != 0 || !(flags & AT_EMPTY_PATH))                  \
			note(stat_kind(r == 0, r == 0 ? st->st_mode : 0), dirfd, path, r == 0, 0); \
		return r;                                                      \
	}
FSTATAT(fstatat, stat)
FSTATAT(fstatat64, stat64)

int access(const char *path, int mode) {
	REAL(access);
	int r = real(path, mode);
	note('a', AT_FDCWD, path, r == 0, (mode & W_OK) != 0);
	return r;
}
