/* The static launcher a hermetic xar carries at
 * __xar__/python/bin/python3: what sys.executable names, so that the
 * app's children (subprocess with sys.executable, multiprocessing's spawn)
 * run the bundled interpreter through the bundled loader, on hosts with
 * no Python or another C library. Static, like the runtime, so that it
 * needs nothing of the host. */
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "base/base.h"
#include "python/python.h"

int main(int argc, char **argv)
{
	struct xar_err err = { 0 };
	char self[PATH_MAX], **cmd = NULL;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0) {
		fprintf(stderr, "xar python: cannot find its own path in "
			"/proc/self/exe (is /proc mounted?)\n");
		return 127;
	}
	self[n] = '\0';
	if (xar_python_hermetic_argv(self, NULL, argc > 0 ? argc - 1 : 0,
				     argv + (argc > 0), &cmd, &err) ||
	    xar_python_hermetic_env(self, 0, &err)) {
		fprintf(stderr, "xar python: %s\n", err.msg);
		return 127;
	}
	execv(cmd[0], cmd);
	fprintf(stderr, "xar python: cannot run '%s': %m\n", cmd[0]);
	return 127;
}
