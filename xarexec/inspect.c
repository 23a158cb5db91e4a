/* xarexec --info, --extract and --verify (see inspect.h). */
#include "inspect.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/image.h"

/* ---- --info ---- */

static int count(void *ctx, const char *path, const struct xar_image_entry *e,
		 const char *target, struct xar_err *err)
{
	struct xarexec_counts *c = ctx;

	(void)target;
	(void)err;
	if (!*path)
		return 0;
	c->entries++;
	if (S_ISREG(e->mode))
		c->files++;
	else if (S_ISDIR(e->mode))
		c->dirs++;
	else if (S_ISLNK(e->mode))
		c->symlinks++;
	else
		c->other++;
	return 0;
}

static void print_text(const struct xarexec_xar *x, const struct xarexec_counts *c)
{
	const struct xar_image_info *i = xar_image_info(x->img);
	const char *py = xar_header_get(&x->h, "XAR_PYTHON");
	const char *ver = xar_header_get(&x->h, "XAR_PYTHON_VERSION");
	const char *bundle = xar_header_get(&x->h, "XAR_PYTHON_BUNDLE");
	const char *libc = xar_header_get(&x->h, "XAR_PYTHON_LIBC");
	const char *entry = xar_header_entry_point(&x->h);
	char id[32];
	const char *state, *signer = xarexec_signer(&x->h, id, &state);
	size_t k;

	printf("file:         %s\n", x->path);
	printf("shebang:      %s\n", x->h.shebang);
	if (x->h.start)
		printf("layout:       self-contained (runtime %s, %" PRIu64
		       " bytes)\n", x->runtime_version, x->h.start);
	else
		printf("layout:       shebang\n");
	printf("header:\n");
	for (k = 0; k < x->h.nkv; k++)
		printf("  %s=\"%s\"\n", x->h.kv[k].key, x->h.kv[k].value);
	printf("image size:   %" PRIu64 "\n", i->bytes_used);
	printf("compression:  %s\n", i->compression);
	printf("block size:   %" PRIu32 "\n", i->block_size);
	printf("entries:      %" PRIu64 "\n", c->entries);
	printf("files:        %" PRIu64 "\n", c->files);
	printf("directories:  %" PRIu64 "\n", c->dirs);
	printf("symlinks:     %" PRIu64 "\n", c->symlinks);
	printf("other:        %" PRIu64 "\n", c->other);
	if (py && bundle)
		printf("python:       hermetic: Python %s bundled in %s "
		       "(from %s), %s\n", ver ? ver : "?", bundle, py,
		       libc ? libc : "C library unknown");
	else if (py)
		printf("python:       %s%s%s%s\n", py, ver ? " (" : "",
		       ver ? ver : "", ver ? ")" : "");
	printf("entry point:  %s\n", entry ? entry : "(none)");
	if (signer)
		printf("signer:       key %s (%s)\n", signer, state);
	else
		printf("signer:       none (not signed)\n");
}

int xarexec_info(const char *xar, int json)
{
	struct xarexec_xar x;
	struct xarexec_counts c = { 0 };
	struct xar_err err;
	int rc = 1;

	if (xarexec_xar_open(&x, xar))
		return 1;
	if (xar_image_walk(x.img, count, &c, &err)) {
		xarexec_inspect_fail(xar, &err);
		goto out;
	}
	if (json)
		xarexec_print_json(&x, &c);
	else
		print_text(&x, &c);
	rc = fflush(stdout) ? 1 : 0;
out:
	xarexec_xar_close(&x);
	return rc;
}

/* ---- --extract ---- */

int xarexec_extract(const char *dir, const char *xar, char **paths,
		    int npaths, unsigned flags)
{
	struct xar_extract_opts o = { XAR_EXTRACT_OWNERS | flags, paths,
				      npaths > 0 ? (size_t)npaths : 0, 0 };
	struct xar_extract_stats st;
	struct xarexec_xar x;
	struct xar_err err;
	int rc = 0;

	if (xarexec_xar_open(&x, xar))
		return 1;
	if (xarexec_check_policy(xar, &x.h)) {
		xarexec_xar_close(&x);
		return 1;
	}
	if (xar_extract(x.img, dir, &o, &st, &err)) {
		if (err.code == ENOTEMPTY)
			fprintf(stderr, "xarexec: error: %s: %s (--force "
				"extracts into it anyway)\n", xar, err.msg);
		else
			xarexec_inspect_fail(xar, &err);
		rc = 1;
	} else if (st.skipped_devices) {
		fprintf(stderr, "xarexec: warning: %s: %" PRIu64 " device "
			"node(s) not extracted (only root can make them)\n",
			xar, st.skipped_devices);
	}
	xarexec_xar_close(&x);
	return rc;
}

/* ---- --verify ---- */

int xarexec_verify(const char *xar, const char *keyfile)
{
	struct xar_verify_result r;
	struct xar_err err;

	if (xar_verify(xar, &r, &err))
		return xarexec_inspect_fail(xar, &err);
	printf("%s: OK: %" PRIu64 " entries, %" PRIu64 " files, %" PRIu64
	       " bytes of file data read back; ", xar, r.entries, r.files,
	       r.bytes);
	if (r.has_digest)
		printf("SHA-256 %s matches the header\n", r.sha256);
	else
		printf("no XAR_SHA256 in the header to check the image "
		       "against (SHA-256 %s)\n", r.sha256);
	if (xarexec_verify_signature(xar, keyfile))
		return 1;
	return fflush(stdout) ? 1 : 0;
}
