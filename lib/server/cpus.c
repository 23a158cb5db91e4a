/* The start-up's placement on cores (cpus.h). */
#include "cpus.h"

/* Hold the calling thread on cpu alone: 0, or -1 (nothing changed). */
static int pin(int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one);
}

void xar_cpus_hold(struct xar_cpus *c)
{
	int cpu;

	c->home = -1;
	if (sched_getaffinity(0, sizeof(c->all), &c->all) ||
	    CPU_COUNT(&c->all) < 2)
		return;
	cpu = sched_getcpu();
	if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &c->all))
		return;
	if (pin(cpu) == 0)
		c->home = cpu;
}

void xar_cpus_release(const struct xar_cpus *c)
{
	if (c->home >= 0)
		sched_setaffinity(0, sizeof(c->all), &c->all);
}

void xar_cpus_away(const struct xar_cpus *c)
{
	cpu_set_t others;

	if (c->home < 0)
		return;
	others = c->all;
	CPU_CLR(c->home, &others);
	sched_setaffinity(0, sizeof(others), &others);
}

void xar_cpus_home(const struct xar_cpus *c)
{
	if (c->home >= 0)
		pin(c->home);
}
