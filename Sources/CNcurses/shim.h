#ifndef GREENVN_CNCURSES_SHIM_H
#define GREENVN_CNCURSES_SHIM_H

// SwiftPM drops the -D flags pkg-config would give, so ask for the wide-character API here,
// before anything pulls in <curses.h>.
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <langinfo.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <fcntl.h>
#include <wchar.h>

#if __has_include(<ncursesw/curses.h>)
#include <ncursesw/curses.h>
#else
#include <curses.h>
#endif

// Function-like macros do not import into Swift: each one TerminalKit needs is wrapped here.
// Nothing in this header keeps state (static variables in a header would be duplicated per
// object file); all state lives in TerminalKit.

// glibc declares wcwidth only under _XOPEN_SOURCE, which the system modules are built without.
extern int wcwidth(wchar_t c);
/// The columns the C library (and therefore curses) gives a character; -1 if unprintable.
static inline int gv_wcwidth(unsigned int c) { return wcwidth((wchar_t)c); }

static inline WINDOW *gv_stdscr(void) { return stdscr; }
static inline int gv_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int gv_getmaxx(WINDOW *w) { return getmaxx(w); }
static inline int gv_colors(void) { return COLORS; }
static inline int gv_color_pairs(void) { return COLOR_PAIRS; }

static inline attr_t gv_a_normal(void) { return A_NORMAL; }
static inline attr_t gv_a_bold(void) { return A_BOLD; }
static inline attr_t gv_a_dim(void) { return A_DIM; }
static inline attr_t gv_a_reverse(void) { return A_REVERSE; }
static inline attr_t gv_a_underline(void) { return A_UNDERLINE; }
static inline attr_t gv_color_pair(int n) { return (attr_t)COLOR_PAIR(n); }

static inline int gv_key_f(int n) { return KEY_F(n); }
static inline mmask_t gv_wheel_up_mask(void) { return BUTTON4_PRESSED; }
static inline mmask_t gv_button1_mask(void) { return BUTTON1_PRESSED; }
#ifdef BUTTON5_PRESSED
static inline mmask_t gv_wheel_down_mask(void) { return BUTTON5_PRESSED; }
#else
static inline mmask_t gv_wheel_down_mask(void) { return 0; }
#endif

/// One cell: a spacing character plus up to CCHARW_MAX-1 combining characters (wch is
/// NUL-terminated), drawn at (y, x) of w.
static inline int gv_put_cell(WINDOW *w, int y, int x, const wchar_t *wch, attr_t attrs, int pair) {
    cchar_t cc;
    memset(&cc, 0, sizeof cc);
    if (setcchar(&cc, wch, attrs, (NCURSES_PAIRS_T)pair, NULL) == ERR) return ERR;
    return mvwadd_wch(w, y, x, &cc);
}

/// 1 when LC_CTYPE is a UTF-8 locale.
static inline int gv_locale_is_utf8(void) {
    const char *cs = nl_langinfo(CODESET);
    return cs != NULL && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

/// Rows and columns of the terminal on fd, from the kernel (TIOCGWINSZ).
static inline int gv_winsize(int fd, int *rows, int *cols) {
    struct winsize ws;
    memset(&ws, 0, sizeof ws);
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0) return -1;
    *rows = ws.ws_row;
    *cols = ws.ws_col;
    return 0;
}

/// A pipe whose both ends are non-blocking and close-on-exec.
static inline int gv_pipe_nonblocking(int *fds) {
    if (pipe(fds) != 0) return -1;
    for (int i = 0; i < 2; i++) {
        fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    return 0;
}

// Signals. Handlers get siginfo so a crash handler can tell a real fault from kill(1).
typedef void (*gv_signal_handler)(int, siginfo_t *, void *);

static inline int gv_signal_install(int sig, gv_signal_handler handler, struct sigaction *old) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
    return sigaction(sig, &sa, old);
}
static inline int gv_signal_is_ignored(const struct sigaction *action) {
    return !(action->sa_flags & SA_SIGINFO) && action->sa_handler == SIG_IGN;
}
static inline int gv_signal_restore(int sig, const struct sigaction *old) {
    return sigaction(sig, old, NULL);
}
static inline int gv_signal_default(int sig) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    return sigaction(sig, &sa, NULL);
}
static inline void gv_signal_unblock(int sig) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}
/// 1 when the signal came from kill()/raise() rather than from a fault in this process.
static inline int gv_siginfo_is_sent(const siginfo_t *info) {
    return info == NULL || info->si_code <= 0;
}
/// Installs an alternate signal stack on this thread if it has none, so a stack overflow
/// can still restore the terminal. The memory is never freed (the thread may need it last).
static inline void gv_ensure_altstack(void) {
    stack_t current;
    if (sigaltstack(NULL, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return;
    size_t size = 64 * 1024;
    stack_t ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_sp = malloc(size);
    if (ss.ss_sp == NULL) return;
    ss.ss_size = size;
    sigaltstack(&ss, NULL);
}

static inline int gv_atomic_exchange(int *p, int v) { return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); }
static inline void gv_atomic_store(int *p, int v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }
static inline int gv_atomic_load(int *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }

#endif
