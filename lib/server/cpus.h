/* Where a new mount's threads run while the app starts (cpus.c).
 *
 * A cold start is a long exchange of small requests between the app and
 * the serving thread, while the prefetcher decompresses on another core.
 * Left to the scheduler, the three often share one core: the serving
 * thread or the app waits behind the prefetcher's decompression for
 * milliseconds while another core idles, and every request wakes a core
 * from idle (tens of microseconds in a virtual machine). So the launcher
 * holds itself and the server's serving thread on the core it runs on
 * until the mount is ready (the app, exec'd from it, starts there with the
 * launcher's own mask back), the prefetcher runs on the others, and the
 * serving thread gets the whole mask back once the start-up is over. When
 * the prefetcher's looker asks ahead of the app (lookahead.h), most
 * requests are its: the serving thread then joins it on the other cores,
 * and leaves the app's core to the app, except while READs come (the app
 * waits for data then, and its core is free).
 * Everything is best effort: a failure leaves the placement as it was. */
#ifndef XAR_SERVER_CPUS_H
#define XAR_SERVER_CPUS_H

#include <sched.h>

struct xar_cpus {
	cpu_set_t all; /* the launcher's mask */
	int home;      /* the core it was held on, or -1: nothing was done */
};

/* Hold the calling thread on the core it runs on; c->all keeps its mask.
 * c->home is -1 when the mask has a single core or cannot be changed. */
void xar_cpus_hold(struct xar_cpus *c);

/* Give the calling thread c's whole mask back (nothing when not held). */
void xar_cpus_release(const struct xar_cpus *c);

/* Move the calling thread to c's mask without the home core (nothing when
 * not held). */
void xar_cpus_away(const struct xar_cpus *c);

/* Move the calling thread back to the home core (nothing when not held). */
void xar_cpus_home(const struct xar_cpus *c);

#endif
