/* The two ends of every Check suite's main(): a suite of one test case
 * (its name twice), and running it, reporting, and turning the number of
 * failures into the exit status. */
#ifndef XAR_CHECK_MAIN_H
#define XAR_CHECK_MAIN_H

#include <check.h>

/* A new suite *s holding one new test case, both called name. */
static inline TCase *xar_check_case(Suite **s, const char *name)
{
	TCase *tc = tcase_create(name);

	*s = suite_create(name);
	suite_add_tcase(*s, tc);
	return tc;
}

static inline int xar_check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

#endif
