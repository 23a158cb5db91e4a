#include "base.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The temporary file a signal handler must remove; one output at a time. */
static char pending_tmp[PATH_MAX];
static volatile sig_atomic_t pending;

static void set_pending(const char *tmp)
{
	sigset_t all, old;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if (tmp) {
		snprintf(pending_tmp, sizeof(pending_tmp), "%s", tmp);
		pending = 1;
	} else {
		pending = 0;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void xar_outfile_signal_cleanup(void)
{
	if (pending)
		unlink(pending_tmp);
	pending = 0;
}

int xar_outfile_open(struct xar_outfile *f, const char *path,
		     struct xar_err *err)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	struct stat st;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	if (!*path || (slash && !slash[1]))
		return xar_err_set(err, EINVAL, "'%s' is not a file name", path);
	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		return xar_err_set(err, EISDIR, "'%s' is a directory", path);
	f->path = strdup(path);
	f->tmp = malloc(strlen(path) + 16);
	if (!f->path || !f->tmp) {
		xar_outfile_abort(f);
		return xar_err_set(err, ENOMEM, "out of memory");
	}
	/* "dir/.name.XXXXXX": hidden, in the same directory so rename works. */
	sprintf(f->tmp, "%.*s.%s.XXXXXX", (int)dirlen, path, path + dirlen);
	f->fd = mkostemp(f->tmp, O_CLOEXEC);
	if (f->fd < 0) {
		/* name the output the user asked for, not our temporary */
		xar_err_sys(err, "cannot create '%s'", path);
		free(f->tmp);
		f->tmp = NULL;
		xar_outfile_abort(f);
		return -1;
	}
	if (strlen(f->tmp) < sizeof(pending_tmp))
		set_pending(f->tmp);
	return 0;
}

int xar_outfile_commit(struct xar_outfile *f, mode_t mode,
		       struct xar_err *err)
{
	mode_t mask = umask(0);

	umask(mask);
	if (fchmod(f->fd, mode & ~mask))
		return xar_err_sys(err, "cannot set the mode of '%s'",
				   f->path);
	if (close(f->fd)) {
		f->fd = -1;
		return xar_err_sys(err, "cannot write '%s'", f->path);
	}
	f->fd = -1;
	if (rename(f->tmp, f->path))
		return xar_err_sys(err, "cannot rename '%s' to '%s'", f->tmp,
				   f->path);
	set_pending(NULL);
	free(f->tmp);
	f->tmp = NULL;
	free(f->path);
	f->path = NULL;
	return 0;
}

void xar_outfile_abort(struct xar_outfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->tmp) {
		unlink(f->tmp);
		set_pending(NULL);
	}
	free(f->tmp);
	free(f->path);
	f->tmp = f->path = NULL;
}
