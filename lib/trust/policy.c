/* The trust policy (see trust.h): read before anything is mounted or
 * extracted, on every run. Without a policy this costs a failed stat or
 * two. A policy that someone other than its owner could edit stops
 * everything: it is worse than none. */
#include "trust.h"
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEYS_MAX 1024 /* keys one policy may hold */

/* A directory or key file of the policy, open at fd: owned by root (or,
 * for a user's, by the user) and not writable by group or others. */
static int check_owner(int fd, const char *path, uid_t owner,
		       struct xar_err *err)
{
	struct stat st;

	if (fstat(fd, &st))
		return xar_err_sys(err, "trust policy: cannot stat '%s'", path);
	if (st.st_uid != 0 && st.st_uid != owner)
		return xar_err_set(err, EPERM, "trust policy: '%s' is owned by "
				   "uid %u, not %s", path, (unsigned)st.st_uid,
				   owner ? "root or you" : "root");
	if (st.st_mode & 022)
		return xar_err_set(err, EPERM, "trust policy: '%s' is writable "
				   "by %s", path, st.st_mode & 002 ? "others" :
				   "its group");
	return 0;
}

static int add_key(struct xar_policy *p, const char *path, uid_t owner,
		   struct xar_err *err)
{
	struct xar_pubkey *k;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0)
		return xar_err_sys(err, "trust policy: cannot open '%s'", path);
	if (check_owner(fd, path, owner, err)) {
		close(fd);
		return -1;
	}
	close(fd);
	if (p->nkeys == KEYS_MAX)
		return xar_err_set(err, E2BIG, "trust policy: more than %d keys",
				   KEYS_MAX);
	k = realloc(p->keys, (p->nkeys + 1) * sizeof(*k));
	if (!k)
		return xar_err_set(err, ENOMEM, "out of memory");
	p->keys = k;
	if (xar_key_load_public(path, &k[p->nkeys], err))
		return xar_err_prefix(err, "trust policy");
	p->nkeys++;
	return 0;
}

static int is_pub(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && name[0] != '.' && !strcmp(name + n - 4, ".pub");
}

/* Every *.pub of a directory, or the one file path; 1 when path does not
 * exist (no policy there). */
static int add_path(struct xar_policy *p, const char *path, uid_t owner,
		    struct xar_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct dirent *d;
	DIR *dir;
	int rc = 0;

	if (fd < 0 && errno == ENOENT)
		return 1;
	if (fd < 0)
		return xar_err_sys(err, "trust policy: cannot open '%s'", path);
	if (check_owner(fd, path, owner, err)) {
		close(fd);
		return -1;
	}
	if (!(dir = fdopendir(fd))) {
		close(fd);
		return errno == ENOTDIR ? add_key(p, path, owner, err) :
		       xar_err_sys(err, "trust policy: cannot read '%s'", path);
	}
	while (!rc && (d = readdir(dir))) {
		char *f;

		if (!is_pub(d->d_name))
			continue;
		if (!(f = xar_path_join(path, d->d_name)))
			rc = xar_err_set(err, ENOMEM, "out of memory");
		else
			rc = add_key(p, f, owner, err);
		free(f);
	}
	closedir(dir);
	return rc;
}

/* The user's paths: XAR_TRUSTED_KEYS (*named: each must exist), else the
 * config directory's. */
static char *user_paths(int *named)
{
	const char *env = getenv("XAR_TRUSTED_KEYS");
	const char *cfg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char *s = NULL;

	*named = env && *env;
	if (*named)
		return strdup(env);
	if (cfg && cfg[0] == '/')
		return asprintf(&s, "%s/xar/trusted.d", cfg) < 0 ? NULL : s;
	if (home && home[0] == '/')
		return asprintf(&s, "%s/.config/xar/trusted.d", home) < 0 ?
		       NULL : s;
	return NULL;
}

static int has_key(const struct xar_policy *p, const struct xar_pubkey *k)
{
	size_t i;

	for (i = 0; i < p->nkeys; i++)
		if (!memcmp(p->keys[i].pk, k->pk, sizeof(k->pk)))
			return 1;
	return 0;
}

/* The user's policy, from each ':'-separated path. */
static int load_user(struct xar_policy *u, struct xar_err *err)
{
	int named, rc = 0, any = 0;
	char *paths = user_paths(&named), *save = NULL, *one;

	if (!paths)
		return 0;
	for (one = strtok_r(paths, ":", &save); one && rc >= 0;
	     one = strtok_r(NULL, ":", &save)) {
		rc = add_path(u, one, geteuid(), err);
		if (rc == 1 && named)
			rc = xar_err_set(err, ENOENT, "trust policy: '%s' (in "
					 "XAR_TRUSTED_KEYS) does not exist", one);
		any |= rc == 0;
	}
	if (rc >= 0 && any) {
		u->active = 1;
		u->user = paths;
		return 0;
	}
	free(paths);
	return rc < 0 ? -1 : 0;
}

/* Keep only the keys of p that u also holds. */
static void narrow(struct xar_policy *p, const struct xar_policy *u)
{
	size_t i, n = 0;

	for (i = 0; i < p->nkeys; i++)
		if (has_key(u, &p->keys[i]))
			p->keys[n++] = p->keys[i];
	p->nkeys = n;
}

int xar_policy_load(struct xar_policy *p, struct xar_err *err)
{
	struct xar_policy u = { 0 };
	int rc;

	memset(p, 0, sizeof(*p));
	rc = add_path(p, XAR_SYSTEM_POLICY_DIR, 0, err);
	if (rc < 0)
		goto fail;
	if (!rc) {
		p->active = 1;
		p->system = XAR_SYSTEM_POLICY_DIR;
	}
	if (load_user(&u, err))
		goto fail;
	if (u.active && p->active)
		narrow(p, &u);
	else if (u.active) {
		free(p->keys);
		*p = u;
		return 0;
	}
	p->user = u.user;
	free(u.keys);
	return 0;
fail:
	free(u.keys);
	free(u.user);
	xar_policy_free(p);
	return -1;
}

void xar_policy_free(struct xar_policy *p)
{
	free(p->keys);
	free(p->user);
	memset(p, 0, sizeof(*p));
}

int xar_policy_check(const struct xar_policy *p, const struct xar_header *h,
		     struct xar_err *err)
{
	struct xar_pubkey signer;

	if (!p->active)
		return 0;
	switch (xar_sign_check(h, &signer, err)) {
	case XAR_SIG_NONE:
		return xar_err_set(err, EPERM, "refused by the trust policy: "
				   "not signed");
	case XAR_SIG_BAD:
		return xar_err_prefix(err, "refused by the trust policy");
	default:
		break;
	}
	if (!has_key(p, &signer))
		return xar_err_set(err, EPERM, "refused by the trust policy: "
				   "signed by key %s, which it does not trust",
				   signer.id);
	return 0;
}
