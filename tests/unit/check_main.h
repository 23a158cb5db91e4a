/* The end of every Check suite's main(): run it, report, and turn the
 * number of failures into the exit status. */
#ifndef XAR_CHECK_MAIN_H
#define XAR_CHECK_MAIN_H

#include <check.h>

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
