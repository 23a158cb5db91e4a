/* mkxar's pipeline: sources -> tree -> image -> header -> output file. */
#include "build.h"
#include "startup.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "header/header.h"
#include "python/python.h"
#include "bundle.h"
#include "embed.h"
#include "trust/trust.h"

#define UUID_HEX 16 /* 64 bits of the image digest */
#define TRAMPOLINE "__xar__/run.sh"

void xar_build_opts_init(struct xar_build_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->source_date_epoch = -1;
	o->sqfs.block_size = XAR_SQFS_DEFAULT_BLOCK;
	o->sqfs.level = XAR_SQFS_DEFAULT_LEVEL;
}

/* The target must be a relative path to an executable file in the image. */
static int check_exec(const struct xar_tree *t, const char *path,
		      struct xar_err *err)
{
	const struct xar_node *n;

	if (path[0] == '/' || !strcmp(path, "..") || !strncmp(path, "../", 3) ||
	    strstr(path, "/../") || (strlen(path) >= 3 &&
	    !strcmp(path + strlen(path) - 3, "/..")))
		return xar_err_set(err, EINVAL, "--exec '%s' must be a relative "
				   "path inside the image without '..'", path);
	n = xar_tree_lookup(t, path);
	if (!n)
		return xar_err_set(err, ENOENT, "--exec '%s' is not in the image",
				   path);
	if (!S_ISREG(n->mode) || !(n->mode & 0111))
		return xar_err_set(err, EINVAL, "--exec '%s' is not an executable "
				   "file in the image", path);
	return 0;
}

/* A shell script for the original XAR runtime, which runs
 * `/bin/sh -e <mount>/<XAREXEC_TARGET> <xar path> args…`. */
static int add_trampoline(struct xar_tree *t, const char *exec,
			  struct xar_err *err)
{
	size_t cap = 256 + 4 * strlen(exec), len;
	char *s = malloc(cap), *w;
	const char *p;
	int rc;

	if (!s)
		return xar_err_set(err, ENOMEM, "out of memory");
	w = s + sprintf(s, "#!/bin/sh\n# Started by the original XAR runtime "
			"with the xar's path first.\nshift\nexec \"$(dirname "
			"\"$0\")\"/../'");
	for (p = exec; *p; p++) /* single-quote the path */
		w += *p == '\'' ? sprintf(w, "'\\''") : sprintf(w, "%c", *p);
	len = (size_t)(w - s) + (size_t)sprintf(w, "' \"$@\"\n");
	rc = xar_tree_add_bytes(t, TRAMPOLINE, s, len, 0755, err);
	free(s);
	return rc;
}

/* Temporary directories of a Python build, removed at the end. */
struct py_build {
	struct xar_python_info info;
	char staging[64];  /* pip's --target */
	char out[64];      /* bootstraps and bytecode */
	struct xar_bundle_startup startup; /* hermetic: the default list */
	char *guess;       /* the entry's imports (xar_python_guess_startup) */
	size_t guess_len;
};

static int make_tempdir(char *buf, size_t len, struct xar_err *err)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(buf, len, "%s/xar-build.XXXXXX",
		 tmp && *tmp && strlen(tmp) < len - 24 ? tmp : "/tmp");
	if (!mkdtemp(buf)) {
		xar_err_sys(err, "cannot make a temporary directory '%s'", buf);
		buf[0] = '\0';
		return -1;
	}
	/* removed by a signal handler too (interrupt.h) */
	if (xar_interrupt_add_dir(buf) < 0) {
		xar_rmtree(buf);
		buf[0] = '\0';
		return xar_err_set(err, EINVAL, "too many temporary directories");
	}
	/* What is merged from here must not make the image private. */
	chmod(buf, 0755);
	return 0;
}

static void py_cleanup(struct py_build *py)
{
	if (py->staging[0]) {
		xar_rmtree(py->staging);
		xar_interrupt_forget_dir(py->staging);
	}
	if (py->out[0]) {
		xar_rmtree(py->out);
		xar_interrupt_forget_dir(py->out);
	}
	xar_python_info_free(&py->info);
	free(py->startup.list);
	free(py->startup.stdlib);
	free(py->guess);
}

/* Interpreter facts and pip's dependencies, merged under the sources. */
static int python_deps(const struct xar_build_opts *o, struct xar_tree *t,
		       struct py_build *py, struct xar_err *err)
{
	if (xar_python_probe(o->python->interp, &py->info, err))
		return -1;
	if (!xar_python_wants_pip(o->python))
		return 0;
	if (o->python->phase)
		o->python->phase("installing dependencies with pip", 0,
				 o->python->phase_arg);
	if (make_tempdir(py->staging, sizeof(py->staging), err) ||
	    xar_python_pip(o->python, &py->info, py->staging, err))
		return -1;
	return xar_tree_merge(t, py->staging, "", 1, err);
}

struct file_list {
	struct xar_python_file *v;
	size_t n, cap;
};

static int list_file(struct xar_node *n, const char *path, void *arg)
{
	struct file_list *l = arg;

	if (!S_ISREG(n->mode) || !n->src)
		return 0;
	if (l->n == l->cap && xar_grow((void **)&l->v, &l->cap, sizeof(*l->v), 256))
		return -ENOMEM;
	l->v[l->n].image_path = strdup(path);
	l->v[l->n].disk_path = n->src;
	return l->v[l->n++].image_path ? 0 : -ENOMEM;
}

/* The entry's imports as the start-up list (xar_python_guess_startup),
 * into py->guess; the file it is passed through is in py->out, which is
 * merged into the image, so it goes at once. */
static int guess_startup(const struct xar_build_opts *o, struct py_build *py,
			 const struct xar_python_file *files, size_t n,
			 const struct xar_header *h, struct xar_err *err)
{
	char *path = xar_path_join(py->out, ".xar-startup-guess");
	int rc;

	if (!path)
		return xar_err_set(err, ENOMEM, "out of memory");
	rc = xar_python_guess_startup(o->python, &py->info, files, n,
				      xar_header_get(h, "XAR_PYTHON_ENTRY"),
				      py->startup.stdlib, path, err) ||
	     xar_startup_read(path, &py->guess, &py->guess_len, err) ? -1 : 0;
	unlink(path);
	free(path);
	return rc;
}

/* Entry point, bootstraps and bytecode, merged over everything. */
static int python_finish(const struct xar_build_opts *o, struct xar_tree *t,
			 struct py_build *py, struct xar_header *h,
			 struct xar_err *err)
{
	struct file_list l = { 0 };
	size_t i;
	int rc = -1;

	if (xar_tree_walk(t, list_file, &l)) {
		xar_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (make_tempdir(py->out, sizeof(py->out), err) ||
	    xar_python_finish(o->python, &py->info, l.v, l.n, py->out, h, err))
		goto out;
	if (!o->startup && !o->no_startup_guess &&
	    guess_startup(o, py, l.v, l.n, h, err))
		goto out;
	if (xar_tree_merge(t, py->out, "", 0, err))
		goto out;
	rc = 0;
out:
	for (i = 0; i < l.n; i++)
		free((char *)l.v[i].image_path);
	free(l.v);
	return rc;
}

/* A build given no start-up list: the bundled interpreter's (hermetic),
 * else the bootstrap the interpreter runs, then the entry's imports. */
static int default_startup(struct xar_tree *t, const struct py_build *py,
			   struct xar_build_result *r, struct xar_err *err)
{
	char *list = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if (!py->startup.list && !py->guess_len)
		return 0;
	f = open_memstream(&list, &len);
	if (!f)
		return xar_err_set(err, ENOMEM, "out of memory");
	if (py->startup.list)
		fwrite(py->startup.list, 1, py->startup.len, f);
	else
		fprintf(f, "%s\n", XAR_PYTHON_BOOTSTRAP_PY);
	if (py->guess_len)
		fwrite(py->guess, 1, py->guess_len, f);
	if (fclose(f)) {
		free(list);
		return xar_err_set(err, ENOMEM, "out of memory");
	}
	rc = xar_startup_apply(t, list, len, &r->startup_files,
			       &r->startup_skipped, err);
	free(list);
	return rc;
}

static int gather(const struct xar_build_opts *o, struct xar_tree *t,
		  struct py_build *py, struct xar_header *h,
		  struct xar_build_result *r, struct xar_err *err)
{
	size_t i;

	if (xar_tree_init(t, &o->tree, err))
		return -1;
	if (o->python && python_deps(o, t, py, err))
		return -1;
	for (i = 0; i < o->nsources; i++)
		if (xar_tree_add_source(t, o->sources[i], err))
			return -1;
	if (o->exec &&
	    (check_exec(t, o->exec, err) || add_trampoline(t, o->exec, err)))
		return -1;
	if (o->python && o->python->bundle &&
	    xar_bundle_python(o->python, &py->info, o->python_launcher, t, h,
			      &py->startup, err))
		return -1;
	if (o->python && python_finish(o, t, py, h, err))
		return -1;
	if (o->startup)
		return xar_startup_apply(t, o->startup, o->startup_len,
					 &r->startup_files,
					 &r->startup_skipped, err);
	return default_startup(t, py, r, err);
}

static int set_extra_headers(const struct xar_build_opts *o,
			     struct xar_header *h, struct xar_err *err)
{
	static const char *const reserved[] = { "OFFSET", "UUID", "VERSION",
						"XAR_SHA256", "XAR_EXEC",
						"XAR_RUNTIME_SHA256",
						"XAR_SIGNER", "XAR_SIGNATURE" };
	size_t i, k;

	for (i = 0; i < o->nheaders; i++) {
		const char *kv = o->headers[i], *eq = strchr(kv, '=');
		char key[128];

		if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(key))
			return xar_err_set(err, EINVAL, "--header '%s' is not "
					   "KEY=VALUE", kv);
		memcpy(key, kv, (size_t)(eq - kv));
		key[eq - kv] = '\0';
		for (k = 0; k < sizeof(reserved) / sizeof(*reserved); k++)
			if (!strcmp(key, reserved[k]))
				return xar_err_set(err, EINVAL, "--header cannot "
						   "set %s; mkxar writes it", key);
		if (xar_header_set(h, key, eq + 1, err))
			return xar_err_prefix(err, "--header '%s'", kv);
	}
	return 0;
}

/* Every key but the digest-derived ones, which get placeholders of their
 * final length so that OFFSET is settled before the image is written. */
static int make_header(const struct xar_build_opts *o, uint32_t version,
		       struct xar_header *h, struct xar_err *err)
{
	char zeros[65], num[24], off[24];

	memset(zeros, '0', 64);
	zeros[64] = '\0';
	snprintf(num, sizeof(num), "%" PRIu32, version);
	snprintf(off, sizeof(off), "%" PRIu64, h->start + XAR_HEADER_ALIGN);
	if (xar_header_set_shebang(h, o->shebang ? o->shebang :
				   XAR_DEFAULT_SHEBANG, err) ||
	    xar_header_set(h, "OFFSET", off, err) ||
	    xar_header_set(h, "UUID", zeros + 64 - UUID_HEX, err) ||
	    xar_header_set(h, "VERSION", num, err) ||
	    xar_header_set(h, "XAR_SHA256", zeros, err) ||
	    (h->start && xar_header_set(h, "XAR_RUNTIME_SHA256", zeros, err)))
		return -1;
	if (o->exec && (xar_header_set(h, "XAR_EXEC", o->exec, err) ||
			xar_header_set(h, "XAREXEC_TARGET", TRAMPOLINE, err)))
		return -1;
	if (o->mount_root && xar_header_set(h, "MOUNT_ROOT", o->mount_root, err))
		return -1;
	if (set_extra_headers(o, h, err))
		return -1;
	return o->sign_key ? xar_sign_reserve(h, err) : 0; /* last: it signs
							       all above */
}

static int render(struct xar_header *h, char **text, size_t *len,
		  struct xar_err *err)
{
	free(*text);
	*text = NULL;
	return xar_header_format(h, text, len, err);
}

/* Put the digest of the runtime in front (and its padding) into the
 * header, so that --verify covers it too. */
static int seal_runtime(struct xar_outfile *out, struct xar_header *h,
			struct xar_err *err)
{
	unsigned char md[XAR_SHA256_LEN];
	char hex[2 * XAR_SHA256_LEN + 1];

	if (!h->start)
		return 0;
	if (xar_sha256_fd(out->fd, 0, h->start, md, err))
		return xar_err_prefix(err, "cannot hash the runtime in '%s'",
				      out->path);
	xar_hex(md, sizeof(md), hex);
	return xar_header_set(h, "XAR_RUNTIME_SHA256", hex, err);
}

/* Hash the image, put the digest and UUID into the header, sign it when
 * asked (key), write it. */
static int seal(struct xar_outfile *out, struct xar_header *h,
		const struct xar_seckey *key, struct xar_build_result *r,
		struct xar_err *err)
{
	unsigned char md[XAR_SHA256_LEN];
	char hex[2 * XAR_SHA256_LEN + 1], *text = NULL;
	size_t len;
	int rc = -1;

	if (seal_runtime(out, h, err))
		return -1;
	if (xar_sha256_fd(out->fd, r->offset, r->image.image_size, md, err))
		return xar_err_prefix(err, "cannot hash the image in '%s'",
				      out->path);
	xar_hex(md, sizeof(md), hex);
	memcpy(r->uuid, hex, UUID_HEX);
	r->uuid[UUID_HEX] = '\0';
	if (xar_header_set(h, "XAR_SHA256", hex, err) ||
	    xar_header_set(h, "UUID", r->uuid, err) ||
	    (key && xar_sign_header(h, key, err)) ||
	    render(h, &text, &len, err))
		goto out;
	if (len != r->offset - h->start) {
		xar_err_set(err, EINVAL, "internal error: header size changed");
		goto out;
	}
	if (xar_pwrite_all(out->fd, text, len, h->start)) {
		xar_err_sys(err, "cannot write '%s'", out->path);
		goto out;
	}
	rc = 0;
out:
	free(text);
	return rc;
}

int xar_build(const struct xar_build_opts *o, struct xar_build_result *r,
	      struct xar_err *err)
{
	struct xar_tree t = { 0 };
	struct xar_header h;
	struct xar_outfile out = { .fd = -1 };
	struct xar_sqfs_opts so = o->sqfs;
	struct py_build py = { 0 };
	struct xar_embed rt = { 0 };
	struct xar_seckey key;
	char *text = NULL;
	size_t len;
	int64_t newest;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	memset(&key, 0, sizeof(key));
	xar_header_init(&h);
	if ((o->sign_key && xar_key_load_secret(o->sign_key, &key, err)) ||
	    (o->runtime && xar_embed_load(&rt, o->runtime, err)))
		goto out;
	h.start = r->runtime_size = rt.start;
	if (gather(o, &t, &py, &h, r, err))
		goto out;
	newest = xar_tree_finish_times(&t, o->source_date_epoch);
	so.mkfs_time = (uint32_t)(o->source_date_epoch >= 0 ?
		(o->source_date_epoch > UINT32_MAX ? UINT32_MAX :
		 o->source_date_epoch) : newest);
	if (make_header(o, so.mkfs_time, &h, err) ||
	    render(&h, &text, &len, err))
		goto out;
	r->offset = h.offset;
	if (xar_outfile_open(&out, o->output, err))
		goto out;
	if (o->runtime && xar_embed_write(&rt, out.fd, err)) {
		xar_err_prefix(err, "'%s'", o->output);
		goto out;
	}
	if (xar_sqfs_write(&t, out.fd, r->offset, &so, &r->image, err)) {
		/* Source errors name their file; write errors get ours. */
		if (!strncmp(err->msg, "cannot write the image", 22))
			xar_err_prefix(err, "'%s'", o->output);
		goto out;
	}
	if (seal(&out, &h, o->sign_key ? &key : NULL, r, err) ||
	    xar_outfile_commit(&out, o->exec || o->python || o->runtime ?
			       0755 : 0644, err))
		goto out;
	rc = 0;
out:
	if (rc)
		xar_outfile_abort(&out);
	free(text);
	xar_seckey_wipe(&key);
	xar_embed_free(&rt);
	xar_header_free(&h);
	xar_tree_free(&t);
	py_cleanup(&py);
	return rc;
}
