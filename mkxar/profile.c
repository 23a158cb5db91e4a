/* mkxar --profile and --startup-list (profile.h). A profile build is two
 * builds: the first, into a private temporary directory, is run once by
 * xarexec with the server recording; the second is the output, laid out
 * by that record. */
#include "profile.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static int make_dir(char *buf, size_t size, struct xar_err *err)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(buf, size, "%s/xar-profile.XXXXXX",
		 tmp && *tmp == '/' && strlen(tmp) < size - 24 ? tmp : "/tmp");
	if (!mkdtemp(buf))
		return xar_err_sys(err, "cannot make a temporary directory "
				   "'%s'", buf);
	if (xar_interrupt_add_dir(buf) < 0) {
		xar_rmtree(buf);
		return xar_err_set(err, EINVAL, "too many temporary "
				   "directories");
	}
	return 0;
}

/* The first build and its run: the recorded list. */
static int record(struct mkxar_options *o, const char *dir, char **list,
		  size_t *len, int *app_status, struct xar_err *err)
{
	struct xar_build_opts first = o->build;
	struct xar_build_result r;
	struct xar_profile_run run;
	char *xar = xar_path_join(dir, "profile.xar");
	int rc = -1;

	if (!xar)
		return xar_err_set(err, ENOMEM, "out of memory");
	first.output = xar;
	first.sqfs.progress = NULL;
	if (xar_build(&first, &r, err))
		goto out;
	memset(&run, 0, sizeof(run));
	run.xarexec = o->xarexec_path;
	run.xar = xar;
	run.args = o->profile_args;
	run.dir = dir;
	run.quiet = !o->verbose;
	rc = xar_profile_record(&run, list, len, app_status, err);
out:
	free(xar);
	return rc;
}

int mkxar_build(struct mkxar_options *o, struct xar_build_result *r,
		int *app_status, struct xar_err *err)
{
	char dir[PATH_MAX], *list = NULL;
	size_t len = 0;
	int rc;

	*app_status = 0;
	if (!o->profile_args && !o->startup_list)
		return xar_build(&o->build, r, err);
	if (o->startup_list) {
		if (xar_startup_read(o->startup_list, &list, &len, err))
			return -1;
	} else {
		if (make_dir(dir, sizeof(dir), err))
			return -1;
		rc = record(o, dir, &list, &len, app_status, err);
		xar_rmtree(dir);
		xar_interrupt_forget_dir(dir);
		if (rc)
			return -1;
	}
	o->build.startup = list;
	o->build.startup_len = len;
	rc = xar_build(&o->build, r, err);
	o->build.startup = NULL;
	free(list);
	return rc;
}
