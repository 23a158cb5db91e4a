/* The last build step of a Python xar: entry point, bootstraps, bytecode
 * and the header keys that tell xarexec how to start it. */
#include "python.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define MAX_DEPTH 256

/* The newest mtime among the files the image is made of. */
static struct timespec newest_mtime(const struct xar_python_file *files,
				    size_t n)
{
	struct timespec t = { 0, 0 };
	struct stat st;
	size_t i;

	for (i = 0; i < n; i++)
		if (lstat(files[i].disk_path, &st) == 0 &&
		    (st.st_mtim.tv_sec > t.tv_sec ||
		     (st.st_mtim.tv_sec == t.tv_sec &&
		      st.st_mtim.tv_nsec > t.tv_nsec)))
			t = st.st_mtim;
	return t;
}

static int stamp_dir(int fd, const struct timespec ts[2], int depth,
		     struct xar_err *err);

/* One entry of the directory dfd, a subdirectory's contents first. */
static int stamp_entry(int dfd, const char *name, const struct timespec ts[2],
		       int depth, struct xar_err *err)
{
	struct stat st;
	int sub;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return xar_err_sys(err, "cannot stat '%s'", name);
	if (S_ISDIR(st.st_mode)) {
		if (depth >= MAX_DEPTH)
			return xar_err_set(err, ELOOP, "generated tree too deep");
		sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			     O_CLOEXEC);
		if (sub < 0)
			return xar_err_sys(err, "cannot open '%s'", name);
		if (stamp_dir(sub, ts, depth + 1, err) < 0)
			return -1;
	}
	if (utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return xar_err_sys(err, "cannot set the time of '%s'", name);
	return 0;
}

/* Give everything below the directory fd (which this closes) the times
 * ts, so that what we generate does not carry the build's clock. */
static int stamp_dir(int fd, const struct timespec ts[2], int depth,
		     struct xar_err *err)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		close(fd);
		return xar_err_sys(err, "cannot read a generated directory");
	}
	while (rc == 0 && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			rc = stamp_entry(dirfd(d), e->d_name, ts, depth, err);
	closedir(d);
	return rc;
}

static int stamp_generated(const char *out_dir,
			   const struct xar_python_file *files, size_t n,
			   struct xar_err *err)
{
	struct timespec ts[2];
	int fd = open(out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return xar_err_sys(err, "cannot open '%s'", out_dir);
	ts[0] = ts[1] = newest_mtime(files, n);
	return stamp_dir(fd, ts, 0, err);
}

static int set_keys(const struct xar_python_info *info, const char *entry,
		    struct xar_header *hdr, struct xar_err *err)
{
	if (xar_header_set(hdr, "XAR_PYTHON", info->executable, err) < 0 ||
	    xar_header_set(hdr, "XAR_PYTHON_VERSION", info->version, err) < 0 ||
	    xar_header_set(hdr, "XAR_PYTHON_TAG", info->tag, err) < 0 ||
	    xar_header_set(hdr, "XAR_PYTHON_BOOTSTRAP",
			   XAR_PYTHON_BOOTSTRAP_PY, err) < 0 ||
	    xar_header_set(hdr, "XAR_PYTHON_ENTRY", entry, err) < 0 ||
	    xar_header_set(hdr, "XAREXEC_TARGET", XAR_PYTHON_BOOTSTRAP_SH,
			   err) < 0)
		return -1;
	return 0;
}

/* Extension modules built for another CPython than the recorded one
 * (foo.cpython-311-x86_64-linux-gnu.so in a cpython-312 build) cannot be
 * imported there; the build is refused rather than the run failing with
 * "No module named ...". Stable-ABI (.abi3.so) modules are fine. */
static int check_abi(const struct xar_python_info *info,
		     const struct xar_python_file *files, size_t n,
		     struct xar_err *err)
{
	size_t i, tl = strlen(info->tag);

	if (strncmp(info->tag, "cpython-", 8))
		return 0;
	for (i = 0; i < n; i++) {
		const char *p = files[i].image_path, *base = strrchr(p, '/');
		const char *t, *end;
		size_t len = strlen(p);

		base = base ? base + 1 : p;
		if (len < 3 || strcmp(p + len - 3, ".so"))
			continue;
		t = strstr(base, ".cpython-");
		if (!t)
			continue;
		t++;
		end = t + 8 + strspn(t + 8, "0123456789");
		if ((size_t)(end - t) == tl && !strncmp(t, info->tag, tl))
			continue;
		return xar_err_set(err, EINVAL, "'%s' is an extension module "
				   "for %.*s, but the interpreter (%s) is %s: "
				   "install the app's dependencies with that "
				   "interpreter, or give --python for %.*s",
				   p, (int)(end - t), t, info->executable,
				   info->tag, (int)(end - t), t);
	}
	return 0;
}

int xar_python_finish(const struct xar_python_opts *opts,
		      const struct xar_python_info *info,
		      const struct xar_python_file *files, size_t nfiles,
		      const char *out_dir, struct xar_header *hdr,
		      struct xar_err *err)
{
	char *entry = NULL;
	int rc = -1;

	if (check_abi(info, files, nfiles, err) < 0 ||
	    xar_python_resolve_entry(opts, files, nfiles, &entry, err) < 0 ||
	    xar_python_check_entry(entry, files, nfiles, err) < 0 ||
	    xar_python_write_bootstraps(info, entry, out_dir, err) < 0)
		goto out;
	if (!opts->no_compile && opts->phase)
		opts->phase("compiling Python modules to bytecode",
			    xar_python_count_modules(files, nfiles),
			    opts->phase_arg);
	if (!opts->no_compile &&
	    xar_python_compile(info, files, nfiles, out_dir, !!opts->phase,
			       err) < 0)
		goto out;
	if (stamp_generated(out_dir, files, nfiles, err) < 0)
		goto out;
	rc = set_keys(info, entry, hdr, err);
out:
	free(entry);
	return rc;
}
