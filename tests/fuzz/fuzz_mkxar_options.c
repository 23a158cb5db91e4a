/* mkxar's command line on hostile arguments: the input is argv, split at
 * NUL bytes. Parsed options are built for real (sources, PATH=DEST specs,
 * --exec, --header, --shebang, --mount-root, --exclude, --block-size) in a
 * sandbox of small files, into an output beside it; Python builds are only
 * parsed. Sources whose real path leaves the sandbox are dropped.
 * Properties: a failed build says why in one line and leaves nothing in
 * the output directory; a built xar has a header that reads back, an
 * image that opens and walks, and the --exec target in it. An argument
 * "SOURCE_DATE_EPOCH=..." sets that variable instead. */
#include "fuzz.h"

#include <dirent.h>
#include <getopt.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../mkxar/options.h"
#include "header/header.h"
#include "image/image.h"
#include "base/base.h"

#define ARGS_MAX 48
#define SDE      "SOURCE_DATE_EPOCH="

static char base[64];      /* holds src/ (the working directory) and out/ */
static char src[PATH_MAX]; /* real path of the sandbox */
static char out_dir[128], out_path[160];
static int home = -1;      /* the caller's working directory */

static void cleanup(void)
{
	if (base[0])
		xar_rmtree(base);
}

static void put(const char *path, const char *text, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || xar_write_all(fd, text, len) || close(fd))
		fuzz_fail("cannot make the sandbox", path);
}

static void make_sandbox(void)
{
	static char big[70000];
	char dir[128];

	memset(big, 'x', sizeof(big));
	snprintf(dir, sizeof(dir), "%s/src", base);
	if (mkdir(dir, 0755) || chdir(dir) || !realpath(".", src))
		fuzz_fail("cannot make the sandbox", dir);
	put("a", "hello\n", 6, 0644);
	put("run", "#!/bin/sh\necho hi\n", 18, 0755);
	put("big", big, sizeof(big), 0644);
	if (mkdir("d", 0755) || mkdir("d/e", 0700) || mkdir("empty", 0755) ||
	    symlink("a", "l") || symlink("d", "dl") ||
	    symlink("nowhere", "dangling") || link("a", "hard") ||
	    mkfifo("p", 0644))
		fuzz_fail("cannot make the sandbox", "entries");
	put("d/c", "c\n", 2, 0600);
	put("d/e/f", "", 0, 0644);
	snprintf(out_dir, sizeof(out_dir), "%s/out", base);
	snprintf(out_path, sizeof(out_path), "%s/x.xar", out_dir);
	if (mkdir(out_dir, 0755))
		fuzz_fail("cannot make the sandbox", out_dir);
	if (fchdir(home))
		fuzz_fail("cannot go back", NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	snprintf(base, sizeof(base), "%s/xar-fuzz.XXXXXX",
		 tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	if (!mkdtemp(base))
		fuzz_fail("cannot make the sandbox", base);
	atexit(cleanup);
	home = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (home < 0)
		fuzz_fail("cannot open the working directory", NULL);
	make_sandbox();
	return 0;
}

/* Inside the sandbox, or not there at all (then only lstat sees it). */
static int source_allowed(const char *spec)
{
	const char *eq = strrchr(spec, '=');
	char *path = eq ? strndup(spec, (size_t)(eq - spec)) : strdup(spec);
	char real[PATH_MAX];
	size_t n = strlen(src);
	int ok;

	if (!path)
		return 0;
	ok = !realpath(path, real) ||
	     (!strncmp(real, src, n) && (real[n] == '/' || !real[n]));
	free(path);
	return ok;
}

/* Nothing but the output (after success) in the output directory. */
static void check_out_dir(int built)
{
	DIR *d = opendir(out_dir);
	struct dirent *de;
	int seen = 0;

	if (!d)
		fuzz_fail("cannot list the output directory", out_dir);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!built || strcmp(de->d_name, "x.xar"))
			fuzz_fail("left behind in the output directory",
				  de->d_name);
		seen = 1;
	}
	closedir(d);
	if (built && !seen)
		fuzz_fail("build succeeded without an output", NULL);
}

static int ignore(void *ctx, const char *path, const struct xar_image_entry *e,
		  const char *target, struct xar_err *err)
{
	(void)ctx; (void)path; (void)e; (void)target; (void)err;
	return 0;
}

static void check_output(const struct xar_build_opts *b)
{
	struct xar_image_entry e;
	struct xar_image *img;
	struct xar_header h;
	struct xar_err err;
	const char *x;
	int fd = open(out_path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || xar_header_read_fd(&h, fd, &err))
		fuzz_fail("the header mkxar wrote does not read back", err.msg);
	if (xar_image_open_fd(&img, fd, h.offset, 0, &err) ||
	    xar_image_walk(img, ignore, NULL, &err))
		fuzz_fail("the image mkxar wrote does not read back", err.msg);
	if (b->exec) {
		x = xar_header_get(&h, "XAR_EXEC");
		if (!x || strcmp(x, b->exec))
			fuzz_fail("XAR_EXEC is not the --exec target", b->exec);
		if (xar_image_lookup(img, b->exec, &e, &err) ||
		    !S_ISREG(e.mode) || !(e.mode & 0111))
			fuzz_fail("--exec target is not an executable file",
				  b->exec);
	}
	xar_image_close(img);
	xar_header_free(&h);
	close(fd);
	unlink(out_path);
}

static void build(struct mkxar_options *o)
{
	struct xar_build_opts *b = &o->build;
	const char *kept[ARGS_MAX];
	struct xar_build_result r;
	struct xar_err err;
	size_t i, n = 0;

	for (i = 0; i < b->nsources && n < ARGS_MAX; i++)
		if (source_allowed(b->sources[i]))
			kept[n++] = b->sources[i];
	b->sources = kept;
	b->nsources = n;
	b->output = out_path;
	b->sqfs.level = 1;
	b->sqfs.threads = 1;
	err.msg[0] = '\0';
	if (!xar_build(b, &r, &err)) {
		if (getenv("FUZZ_VERBOSE"))
			fprintf(stderr, "fuzz: built %zu sources\n", n);
		check_out_dir(1);
		check_output(b);
		return;
	}
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz: mkxar: error: %s\n", err.msg);
	if (!err.msg[0] || strchr(err.msg, '\n'))
		fuzz_fail("build error is not one line", err.msg);
	check_out_dir(0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[ARGS_MAX + 2], *copy = malloc(size + 1), *p, *end;
	struct mkxar_options o;
	int argc = 0, rc;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	unsetenv("SOURCE_DATE_EPOCH");
	argv[argc++] = strdup("mkxar");
	for (p = copy, end = copy + size; p < end && argc <= ARGS_MAX;
	     p += strlen(p) + 1) {
		if (!strncmp(p, SDE, strlen(SDE)))
			setenv("SOURCE_DATE_EPOCH", p + strlen(SDE), 1);
		else
			argv[argc++] = strdup(p);
	}
	argv[argc] = NULL;
	optind = 0; /* glibc: start afresh */
	rc = mkxar_parse_options(&o, argc, argv);
	/* Relative sources are the sandbox's; libFuzzer's corpus paths are
	 * relative to where it started. */
	if (!rc && !o.build.python) {
		if (chdir(src))
			fuzz_fail("cannot enter the sandbox", src);
		build(&o);
		if (fchdir(home))
			fuzz_fail("cannot go back", NULL);
	}
	mkxar_options_free(&o);
	while (argc--)
		free(argv[argc]);
	free(copy);
	return 0;
}
