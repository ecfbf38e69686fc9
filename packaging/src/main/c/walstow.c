/*
 * bin/walstow: what PostgreSQL runs once per WAL file (archive_command and restore_command, through /bin/sh -c, with
 * the data directory as working directory). It answers what a running daemon has already finished and otherwise
 * hands the call, unchanged, to bin/walstow-jvm (bash: finds Java 25, starts the agent JVM or the CLI).
 *
 * Why C and not the bash fast paths it replaces: on the VMs walstow is measured on, starting bash costs ~5 ms and each
 * `mv` another ~4 ms, this program ~1.8 ms; PostgreSQL pays that once per segment, serially, in a drain, in every
 * restore call and in recovery (docs/benchmarks.md, end to end). Waiting is on inotify instead of 5 ms naps. Linked
 * dynamically: a static glibc would save 0.4 ms a call but miss libc's security updates.
 *
 * The safety rules are the daemon's, and this file only reads what the daemon publishes in pg_wal/.walstow
 * (archiver-core/.../daemon/spool/SpoolLayout.java; pg_wal is 0700, so only the PostgreSQL OS user can write there):
 *   - nothing is read from the daemon's state unless `serving` (agent/.../spool/Serving.java) shows a daemon that
 *     (a) loaded the very configuration file this call uses, unchanged (same device, inode, size, mtime, ctime),
 *     (b) holds the fcntl lock on daemon.lock under the pid it published (a killed daemon holds no lock, a reused
 *     pid holds none either), and (c) renewed its heartbeat (the file's mtime) within HEARTBEAT_STALE_MS;
 *     the state read is then only repo-ID/, ID being the repository that daemon serves;
 *   - archive-push exits 0 only for %p = pg_wal/NAME (NAME a WAL file name, as the in-process path demands) when
 *     repo-ID/pushed/NAME exists with exactly the segment's mtime: the daemon renames that marker into place only
 *     after the repository confirmed durability, so it vouches for this very file;
 *   - archive-get exits 0 only after renaming a file the daemon verified (repo-ID/prefetch/BOOT/NAME, written since
 *     this boot by the daemon serving now, or the answer to this call's own ask) to %p, and 1 only on the daemon's
 *     ".missing" answer, which it gives only when the repository positively has no such file;
 *   - everything else (a recorded failure, an error answer, no daemon, a wait that ran out) goes to the agent JVM,
 *     which asks again and owns every error and exit code (docs/exit-codes.md). Nothing is decided here on doubt.
 * If even the hand-over fails, the exit status is WS_EXIT_HANDOVER_FAILED_GET (203) for archive-get (above 125:
 * PostgreSQL stops recovery instead of ending it early) and WS_EXIT_HANDOVER_FAILED (3) otherwise (PostgreSQL
 * retries).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Every spool name, the configuration file rule and the hand-over statuses: generated at build time from
 * agent/.../spool/SpoolContract.java (with Serving and ConfigFile), the daemon's and the agent's source of them. */
#include "walstow_spool.h"

#define SPOOL WS_SPOOL
#define SERVING SPOOL "/" WS_SERVING
#define LOCK_FILE SPOOL "/" WS_LOCK
#define STATE_PREFIX SPOOL "/" WS_STATE_PREFIX
#define NAP_FIFO SPOOL "/" WS_NAP_FIFO
/* Serving.STALE_AFTER: a heartbeat older than this (or this far in the future: a clock set back) is a hung daemon. */
#define HEARTBEAT_STALE_MS WS_HEARTBEAT_STALE_MS
/* The longest wait for the daemon; the agent then waits on its own bound with its own error reporting. */
#define WAIT_MAX_MS 60000
/* How often the wait looks again without an inotify event: with the watches set, only for the time limits below;
 * without them (inotify unavailable), this is the polling interval. */
#define NAP_MS 25
#define NAP_NO_INOTIFY_MS 5
#define ALIVE_CHECK_MS 500
/* Give up this long after the daemon stopped showing that it works on the file (no pushing/ or fetching/ marker). */
#define PUSH_IDLE_MS 300
#define GET_IDLE_MS 100

static int arg_count;
static char **args;
/* The configuration file of this call (--config, else $WALSTOW_CONFIG, else the default: ConfigFile.locate). */
static const char *config_file = WS_CONFIG_DEFAULT;
/* Set by serving_ok(): the daemon's pid and its repository's state directory (pg_wal/.walstow/repo-ID). */
static long serving_pid;
static char state[PATH_MAX];

static void hand_over(void) __attribute__((noreturn));
static bool path_of(char *out, const char *a, const char *b, const char *c);

/* The directory this binary is in: /proc/self/exe (symbolic links resolved, e.g. /usr/bin/walstow), else argv[0]. */
static bool own_directory(char *out, size_t size) {
    ssize_t n = readlink("/proc/self/exe", out, size);
    if (n <= 0 || (size_t) n >= size) {
        n = snprintf(out, size, "%s", args[0]);
        if (n <= 0 || (size_t) n >= size) {
            return false;
        }
    }
    out[n] = '\0';
    char *slash = strrchr(out, '/');
    if (slash == NULL) {
        return false;
    }
    *slash = '\0';
    return true;
}

/* bin/walstow-jvm beside this binary, with the same arguments. */
static void hand_over(void) {
    char dir[PATH_MAX], script[PATH_MAX];
    if (!own_directory(dir, sizeof dir)) {
        fprintf(stderr, "walstow: [WS-CONFIG] cannot find the walstow installation (neither /proc/self/exe nor the "
                "command name %s tell its directory). HINT: run walstow by its path, or mount /proc\n", args[0]);
    } else if (!path_of(script, dir, "/walstow-jvm", "")) {
        fprintf(stderr, "walstow: [WS-CONFIG] the walstow installation path is too long: %s. HINT: install "
                "walstow in a shorter path\n", dir);
    } else {
        args[0] = script;
        execv(script, args);
        fprintf(stderr, "walstow: [WS-CONFIG] incomplete installation: cannot run %s: %s. HINT: reinstall "
                "walstow\n", script, strerror(errno));
    }
    for (int i = 1; i < arg_count; i++) {
        if (strcmp(args[i], "archive-get") == 0) {
            exit(WS_EXIT_HANDOVER_FAILED_GET);
        }
    }
    exit(WS_EXIT_HANDOVER_FAILED);
}

static bool stat_is(const char *path, mode_t type) {
    struct stat st;
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == type;
}

static bool exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

static bool is_symlink(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

/* snprintf that treats truncation as "no such path": a name too long for PATH_MAX is left to the agent. */
static bool path_of(char *out, const char *a, const char *b, const char *c) {
    int n = snprintf(out, PATH_MAX, "%s%s%s", a, b, c);
    return n > 0 && n < PATH_MAX;
}

static long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static long realtime_ms(const struct timespec *t) {
    return t->tv_sec * 1000L + t->tv_nsec / 1000000L;
}

/* The heartbeat (serving's mtime) is recent, and not from the future. */
static bool heartbeat_fresh(const struct stat *st) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    long age = realtime_ms(&now) - realtime_ms(&st->st_mtim);
    return age < HEARTBEAT_STALE_MS && age > -HEARTBEAT_STALE_MS;
}

/* The process holding the fcntl lock on daemon.lock is `pid` (F_GETLK reports the holder of a conflicting lock). */
static bool lock_held_by(long pid) {
    int fd = open(LOCK_FILE, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        return false;
    }
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    bool held = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK && (long) fl.l_pid == pid;
    close(fd);
    return held;
}

/* ConfigFile.fingerprint: dev:ino:size:mtime:ctime, times as seconds.nanoseconds (nine digits). */
static bool config_fingerprint(char *out, size_t size) {
    struct stat st;
    if (stat(config_file, &st) != 0) {
        return false;
    }
    int n = snprintf(out, size, "%ju:%ju:%jd:%jd.%09ld:%jd.%09ld", (uintmax_t) st.st_dev, (uintmax_t) st.st_ino,
            (intmax_t) st.st_size, (intmax_t) st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (intmax_t) st.st_ctim.tv_sec,
            st.st_ctim.tv_nsec);
    return n > 0 && (size_t) n < size;
}

/*
 * Whether a live daemon serves this call's configuration (see the rules at the top); sets serving_pid and state.
 * One open, fstat and read of `serving`, one stat of the configuration file, one open and fcntl of daemon.lock.
 */
static bool serving_ok(void) {
    char buf[4096], fingerprint[160], id[17];
    int fd = open(SERVING, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        return false;
    }
    struct stat st;
    ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && heartbeat_fresh(&st) ? read(fd, buf, sizeof buf - 1)
            : -1;
    close(fd);
    if (n <= 0 || buf[n - 1] != '\n' || !config_fingerprint(fingerprint, sizeof fingerprint)) {
        return false;
    }
    buf[n - 1] = '\0';
    /* walstow-serving-1 PID ID FINGERPRINT PATH */
    char *fields[4], *rest = buf;
    for (int i = 0; i < 4; i++) {
        fields[i] = strsep(&rest, " ");
        if (fields[i] == NULL) {
            return false;
        }
    }
    char *end;
    long pid = strtol(fields[1], &end, 10);
    if (rest == NULL || strcmp(fields[0], WS_SERVING_MAGIC) != 0 || end == fields[1] || *end != '\0' || pid <= 0
            || pid > INT_MAX || strlen(fields[2]) != 16 || strspn(fields[2], "0123456789abcdef") != 16
            || strcmp(fields[3], fingerprint) != 0 || !lock_held_by(pid)) {
        return false;
    }
    memcpy(id, fields[2], sizeof id);
    serving_pid = pid;
    return path_of(state, STATE_PREFIX, id, "");
}

/* Still the daemon serving_ok() found: the same pid holds the lock, and the heartbeat goes on. */
static bool daemon_alive(void) {
    struct stat st;
    return stat(SERVING, &st) == 0 && heartbeat_fresh(&st) && lock_held_by(serving_pid);
}

/* Returns false to stop waiting; exits the process when it has the answer. */
typedef bool (*answer_fn)(void);

/*
 * Waits while the daemon works on the file PostgreSQL asked for, answering only through `answer`. Gives up when the
 * daemon's marker has been absent for idle_ms (it is not working on that file: the agent asks it), when the daemon
 * dies, or after WAIT_MAX_MS. inotify on the directories where answers and markers appear wakes it at once.
 */
static void wait_for_daemon(answer_fn answer, const char *marker, long idle_ms, const char *watch1,
        const char *watch2) {
    if (!stat_is(NAP_FIFO, S_IFIFO) || !daemon_alive()) {
        return;
    }
    // The marker's directory is watched too: its removal ends the wait without a nap.
    char marker_dir[PATH_MAX];
    snprintf(marker_dir, sizeof marker_dir, "%s", marker);
    *strrchr(marker_dir, '/') = '\0';
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    int nap_ms = fd >= 0 ? NAP_MS : NAP_NO_INOTIFY_MS;
    if (fd >= 0) {
        uint32_t events = IN_CREATE | IN_MOVED_TO | IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM;
        const char *dirs[] = {marker_dir, watch1, watch2};
        for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
            // A directory that cannot be watched (not there: an older daemon) is looked at every few ms instead.
            if (dirs[i] != NULL && inotify_add_watch(fd, dirs[i], events) < 0) {
                nap_ms = NAP_NO_INOTIFY_MS;
            }
        }
    }
    long start = now_ms(), seen_working = start, alive_checked = start;
    while (answer()) {
        long now = now_ms();
        if (exists(marker)) {
            seen_working = now;
        } else if (now - seen_working > idle_ms) {
            break;
        }
        if (now - start >= WAIT_MAX_MS) {
            break;
        }
        if (now - alive_checked >= ALIVE_CHECK_MS) {
            if (!daemon_alive()) {
                break;
            }
            alive_checked = now;
        }
        if (fd >= 0) {
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            if (poll(&pfd, 1, nap_ms) > 0) {
                char events[4096];
                while (read(fd, events, sizeof events) > 0) {
                }
            }
        } else {
            struct timespec nap = {0, nap_ms * 1000000L};
            nanosleep(&nap, NULL);
        }
    }
    if (fd >= 0) {
        close(fd);
    }
}

/* ---------- archive-push %p ---------- */

static char segment[PATH_MAX], pushed[PATH_MAX], failed[PATH_MAX];

/* The daemon renames pushed/NAME into place, with the segment's mtime, only once NAME is durable; equal mtimes (to the
 * nanosecond) say this is the very file that was pushed: a recycled or rewritten segment has a newer one. */
static bool pushed_answer(void) {
    struct stat marker, seg;
    if (stat(pushed, &marker) == 0 && S_ISREG(marker.st_mode) && stat(segment, &seg) == 0 && S_ISREG(seg.st_mode)
            && marker.st_mtim.tv_sec == seg.st_mtim.tv_sec && marker.st_mtim.tv_nsec == seg.st_mtim.tv_nsec) {
        exit(0);
    }
    // A failure the daemon recorded meanwhile goes to the agent at once, which reports it to the PostgreSQL log.
    return !exists(failed);
}

static bool all_upper_hex(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F'))) {
            return false;
        }
    }
    return true;
}

/* WalFileName's forms: a segment, a .partial segment, a .history file, a .backup history file (upper-case hex). */
static bool wal_file_name(const char *f) {
    size_t n = strlen(f);
    return (n == 24 && all_upper_hex(f, 24))
            || (n == 32 && all_upper_hex(f, 24) && strcmp(f + 24, ".partial") == 0)
            || (n == 16 && all_upper_hex(f, 8) && strcmp(f + 8, ".history") == 0)
            || (n == 40 && all_upper_hex(f, 24) && f[24] == '.' && all_upper_hex(f + 25, 8)
                    && strcmp(f + 33, ".backup") == 0);
}

static void archive_push(const char *p) {
    // What the in-process path accepts without --allow-outside-pg-wal, in the form PostgreSQL gives: pg_wal/NAME.
    // Anything else (a copy elsewhere with the same name and mtime, an absolute path) goes to the agent, which checks.
    const char *name = strncmp(p, "pg_wal/", 7) == 0 ? p + 7 : NULL;
    char pushing[PATH_MAX], pushed_dir[PATH_MAX], failed_dir[PATH_MAX];
    if (name == NULL || !wal_file_name(name) || !serving_ok() || !path_of(segment, p, "", "")
            || !path_of(pushed_dir, state, "/" WS_PUSHED, "") || !path_of(failed_dir, state, "/" WS_FAILED, "")
            || !path_of(pushed, pushed_dir, "/", name) || !path_of(failed, failed_dir, "/", name)
            || !path_of(pushing, state, "/" WS_PUSHING "/", name)) {
        return;
    }
    // Not durable yet: during a drain the daemon is usually uploading this very segment (oldest first).
    if (pushed_answer()) {
        wait_for_daemon(pushed_answer, pushing, PUSH_IDLE_MS, pushed_dir, failed_dir);
    }
}

/* ---------- archive-get %f %p ---------- */

static const char *wanted, *target;
static bool history;
static char prefetched[PATH_MAX], prefetch_dir[PATH_MAX], reply[PATH_MAX], reply_missing[PATH_MAX],
        reply_error[PATH_MAX];

/* Prefetched files are not fsync'd: only those written since this boot may be handed over (SpoolLayout's
 * prefetchDirectory; a file left from before an OS crash may be torn). Timeline history files are never taken from
 * prefetch/: a promoted standby may have archived a newer one, so they are fetched fresh for every call. */
static bool spooled_answer(void) {
    if (!history && stat_is(prefetched, S_IFREG) && !is_symlink(prefetched) && rename(prefetched, target) == 0) {
        exit(0);
    }
    return true;
}

/* The answer to this call's own ask: the verified file, ".missing" (exit 1) or ".error" (stop waiting: the agent asks
 * again and reports). The answer files are this call's alone, so they are removed once read. Not prefetch/ any more:
 * the daemon answers an ask by moving the prefetched file into answers/, and taking it from prefetch/ first would
 * make it fetch the segment again for an answer nobody collects. */
static bool asked_answer(void) {
    if (stat_is(reply, S_IFREG) && rename(reply, target) == 0) {
        exit(0);
    }
    if (exists(reply_missing)) {
        unlink(reply_missing);
        fprintf(stderr, "walstow archive-get: %s is not in the archive\n", wanted);
        exit(1);
    }
    if (exists(reply_error)) {
        unlink(reply_error);
        return false;
    }
    return true;
}

/* The kernel's boot id, the name of this boot's prefetch directory; false if unreadable or odd. */
static bool boot_id(char *out, size_t size) {
    int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    ssize_t n = read(fd, out, size - 1);
    close(fd);
    if (n <= 0) {
        return false;
    }
    out[n] = '\0';
    out[strcspn(out, "\n")] = '\0';
    return out[0] != '\0' && strspn(out, "0123456789abcdef-") == strlen(out);
}

static unsigned ask_random(void) {
    unsigned r;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t) sizeof r) {
        r = (unsigned) now_ms() ^ ((unsigned) getpid() << 16);
    }
    return r;
}

static void archive_get(const char *f, const char *p) {
    size_t len = strlen(f);
    const char *in_wal = strncmp(p, "pg_wal/", 7) == 0 ? p + 7 : NULL;
    char boot[64], fetching[PATH_MAX], asked_dir[PATH_MAX], answers_dir[PATH_MAX];
    // Only a WAL name, and %p a plain name directly in pg_wal: then the rename stays inside one filesystem, hence
    // atomic. And only from the state of the daemon that serves this call's configuration now.
    if (!wal_file_name(f) || in_wal == NULL || in_wal[0] == '\0' || in_wal[0] == '-' || strchr(in_wal, '/') != NULL
            || strcmp(in_wal, ".") == 0 || strcmp(in_wal, "..") == 0 || !serving_ok() || !boot_id(boot, sizeof boot)
            || !path_of(prefetch_dir, state, "/" WS_PREFETCH "/", boot) || !path_of(prefetched, prefetch_dir, "/", f)
            || !path_of(fetching, state, "/" WS_FETCHING "/", f) || !path_of(asked_dir, state, "/" WS_ASKED, "")
            || !path_of(answers_dir, state, "/" WS_ANSWERS, "")) {
        return;
    }
    wanted = f;
    target = p;
    history = len >= 8 && strcmp(f + len - 8, ".history") == 0;
    spooled_answer();
    // Not prefetched: ask the daemon without a JVM (LauncherAsks). The answer belongs to this call alone (pid and a
    // random number), so a fresh answer is never confused with an older one.
    if (stat_is(asked_dir, S_IFDIR) && stat_is(NAP_FIFO, S_IFIFO) && daemon_alive()) {
        char ask_id[PATH_MAX], ask[PATH_MAX];
        int n = snprintf(ask_id, sizeof ask_id, "%s.%ld-%u", f, (long) getpid(), ask_random());
        if (n <= 0 || n >= (int) sizeof ask_id || !path_of(ask, asked_dir, "/", ask_id)
                || !path_of(reply, answers_dir, "/", ask_id) || !path_of(reply_missing, reply, WS_ANSWER_MISSING, "")
                || !path_of(reply_error, reply, WS_ANSWER_ERROR, "")) {
            return;
        }
        int fd = open(ask, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) {
            close(fd);
            wait_for_daemon(asked_answer, fetching, GET_IDLE_MS, answers_dir, NULL);
            // No answer here: withdraw the ask (the daemon then discards its answer) before the agent asks again.
            unlink(ask);
        }
        return;
    }
    // A daemon without asks: wait here if it is fetching this segment ahead anyway (never a history file).
    if (!history) {
        wait_for_daemon(spooled_answer, fetching, GET_IDLE_MS, prefetch_dir, NULL);
    }
}

int main(int argc, char **argv) {
    arg_count = argc;
    args = argv;
    // Only in a data directory with a daemon spool: anywhere else these relative paths mean nothing.
    if (stat_is("PG_VERSION", S_IFREG) && stat_is(SPOOL, S_IFDIR)) {
        int cmd = 1;
        const char *env = getenv(WS_CONFIG_ENV);
        if (env != NULL && env[strspn(env, " \t\n\v\f\r")] != '\0') {
            config_file = env;
        }
        if (argc >= 3 && strcmp(argv[1], "--config") == 0) {
            cmd = 3;
            config_file = argv[2];
        } else if (argc >= 2 && strncmp(argv[1], "--config=", 9) == 0 && argv[1][9] != '\0') {
            cmd = 2;
            config_file = argv[1] + 9;
        }
        if (cmd + 2 == argc && strcmp(argv[cmd], "archive-push") == 0) {
            archive_push(argv[cmd + 1]);
        } else if (cmd + 3 == argc && strcmp(argv[cmd], "archive-get") == 0) {
            archive_get(argv[cmd + 1], argv[cmd + 2]);
        }
    }
    hand_over();
}
