/* Recording a start-up (build.h, xar_profile_record). xarexec makes a new mount under the
 * private mount root (XAR_MOUNT_ROOT) and passes XAR_RECORD_STARTUP to its
 * server, which writes the list when it exits: after the app has run and
 * `xarexec -u` has unmounted, the list appears. */
#include "build.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "startup.h"

extern char **environ;

enum { WAIT_LIST_MS = 10000 };

/* environ without XAR_MOUNT_ROOT, XAR_RECORD_STARTUP and XAR_EXTRACT (the
 * record needs a FUSE mount), then the two set. */
static char **child_env(const char *root, const char *list)
{
	size_t n = 0, i, k = 0;
	char **env;

	while (environ[n])
		n++;
	if (!(env = calloc(n + 3, sizeof(*env))))
		return NULL;
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "XAR_MOUNT_ROOT=", 15) &&
		    strncmp(environ[i], "XAR_RECORD_STARTUP=", 19) &&
		    strncmp(environ[i], "XAR_EXTRACT=", 12))
			env[k++] = environ[i];
	if (asprintf(&env[k], "XAR_MOUNT_ROOT=%s", root) < 0) {
		free(env);
		return NULL;
	}
	if (asprintf(&env[k + 1], "XAR_RECORD_STARTUP=%s", list) < 0) {
		free(env[k]);
		free(env);
		return NULL;
	}
	return env;
}

static void free_env(char **env)
{
	size_t i;

	for (i = 0; env[i]; i++)
		if (!strncmp(env[i], "XAR_MOUNT_ROOT=", 15) ||
		    !strncmp(env[i], "XAR_RECORD_STARTUP=", 19))
			free(env[i]);
	free(env);
}

/* Run argv in its own process group (a Ctrl-C interrupts the build, see
 * xar_interrupt_children) and wait: its status, or -1. */
static int run_wait(char *const argv[], char *const env[], int quiet,
		    int *status)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	pid_t pid;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (quiet) {
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null",
						 O_WRONLY, 0);
		posix_spawn_file_actions_adddup2(&fa, 1, 2);
	}
	rc = posix_spawn(&pid, argv[0], &fa, &at, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc) {
		errno = rc;
		return -1;
	}
	xar_interrupt_set_child(pid);
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR) {
			xar_interrupt_set_child(0);
			return -1;
		}
	xar_interrupt_set_child(0);
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Read the list once the server has written it (it renames it into
 * place as it exits, just after the unmount). */
static int read_list(const char *path, char **list, size_t *len,
		     struct xar_err *err)
{
	long waited = 0;

	while (access(path, F_OK) && errno == ENOENT && waited < WAIT_LIST_MS) {
		sleep_ms(20);
		waited += 20;
	}
	return xar_startup_read(path, list, len, err);
}

/* xarexec -u: the server exits and writes the record. */
static int unmount(char *xarexec, char *xar, char **env)
{
	char dash_u[] = "-u";
	char *argv[] = { xarexec, dash_u, xar, NULL };
	int st;

	return run_wait(argv, env, 1, &st) || !WIFEXITED(st) ||
	       WEXITSTATUS(st) ? -1 : 0;
}

int xar_profile_record(const struct xar_profile_run *run, char **list,
		       size_t *len, int *status, struct xar_err *err)
{
	char sh[] = "/bin/sh", dash_c[] = "-c";
	char *root = xar_path_join(run->dir, "mnt");
	char *rec = xar_path_join(run->dir, "startup");
	char *xarexec = strdup(run->xarexec), *xar = strdup(run->xar);
	char *cmd = NULL, **env = NULL;
	int rc = -1;

	*list = NULL;
	if (!root || !rec || !xarexec || !xar ||
	    asprintf(&cmd, "exec \"$0\" \"$1\" %s", run->args) < 0) {
		cmd = NULL;
		xar_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (mkdir(root, 0700) || !(env = child_env(root, rec))) {
		xar_err_sys(err, "cannot prepare the profile run in '%s'",
			    run->dir);
		goto out;
	}
	{
		char *argv[] = { sh, dash_c, cmd, xarexec, xar, NULL };

		if (run_wait(argv, env, run->quiet, status)) {
			xar_err_sys(err, "cannot run /bin/sh for the profile");
			goto out;
		}
	}
	if (unmount(xarexec, xar, env)) {
		xar_err_set(err, EIO, "'%s -u' failed after the profile run",
			    run->xarexec);
		goto out;
	}
	if (xar_interrupt_signal())
		xar_err_set(err, EINTR, "interrupted");
	else
		rc = read_list(rec, list, len, err);
out:
	if (env)
		free_env(env);
	free(cmd);
	free(xar);
	free(xarexec);
	free(rec);
	free(root);
	return rc;
}
