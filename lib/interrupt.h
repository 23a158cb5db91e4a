/* A build interrupted by a signal: what the front end's signal handler
 * may do, async-signal-safely, so that nothing of the build outlives it.
 *
 *  - Children (the build interpreter: probe, pip, bytecode compiler) run
 *    in their own process group, so a Ctrl-C to the terminal's group does
 *    not reach them (no Python traceback); xar_interrupt_children() kills
 *    that group and the build unwinds normally: the child is reaped, the
 *    build fails, its temporary directories are removed.
 *  - Between children, the handler removes the registered temporary
 *    directories itself (xar_interrupt_remove_dirs, syscalls only) before
 *    it dies by the signal.
 *
 * One build at a time per process. */
#ifndef XAR_INTERRUPT_H
#define XAR_INTERRUPT_H

#include <sys/types.h>

/* Signal handler side. 1 when a child group was running and is now being
 * killed (the handler then returns and lets the build unwind), else 0. */
int xar_interrupt_children(int sig);
/* Remove the registered directories (a handler about to die). */
void xar_interrupt_remove_dirs(void);
/* The signal that interrupted the build, or 0. */
int xar_interrupt_signal(void);

/* Build side. A child's process group (its pid), or 0 when none runs;
 * set with the interrupting signals blocked. */
void xar_interrupt_set_child(pid_t pgid);
/* Register / forget a temporary directory (an absolute path that is kept
 * alive by the caller until forgotten). At most 4 at a time; -1 when
 * full. */
int xar_interrupt_add_dir(const char *path);
void xar_interrupt_forget_dir(const char *path);

#endif
