/* A scratch directory per test for Check suites: tmpdir_setup(prefix)
 * makes it, at("rel") names a path inside it (four at a time), and
 * tmpdir_teardown() removes it. Header-only: each suite is one file. */
#ifndef XAR_TMPDIR_FIXTURE_H
#define XAR_TMPDIR_FIXTURE_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char base[64];

static char *at(const char *rel)
{
	static char p[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", base, rel);
	return p[i];
}

static void tmpdir_setup(const char *name)
{
	snprintf(base, sizeof(base), "/tmp/xar-check-%s.XXXXXX", name);
	ck_assert_ptr_nonnull(mkdtemp(base));
}

static void tmpdir_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	ck_assert_int_eq(system(cmd), 0);
}

#endif
