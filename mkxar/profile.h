/* mkxar --profile and --startup-list: builds that carry a start-up list. */
#ifndef MKXAR_PROFILE_H
#define MKXAR_PROFILE_H

#include "build/build.h"
#include "options.h"

/* Build o->build.output as the options say, with the start-up list
 * recorded by a profile run or read from --startup-list. *app_status gets
 * the profile run's wait status (0 without one). */
int mkxar_build(struct mkxar_options *o, struct xar_build_result *r,
		int *app_status, struct xar_err *err);

#endif
