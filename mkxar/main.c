/* mkxar: pack files into a .xar. A front end over lib/build. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "build/build.h"
#include "trust/trust.h"
#include "options.h"
#include "profile.h"
#include "base/base.h"

/* While a build interpreter runs, kill its process group and let the
 * build unwind (it removes its files; main dies by sig then). Otherwise
 * remove what the build left and die by sig now. */
static void on_signal(int sig)
{
	if (xar_interrupt_children(sig))
		return;
	xar_outfile_signal_cleanup();
	xar_interrupt_remove_dirs();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* An interrupted build says nothing more and dies by its signal, as the
 * caller's shell expects (status 128+sig). */
static void die_if_interrupted(void)
{
	int sig = xar_interrupt_signal();

	if (!sig)
		return;
	xar_outfile_signal_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
	_exit(128 + sig);
}

static void catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

static void show_progress(uint64_t done, uint64_t total, void *arg)
{
	static int last = -1;
	int pct = total ? (int)(done * 100 / total) : 100;

	(void)arg;
	if (pct == last)
		return;
	last = pct;
	fprintf(stderr, "\rmkxar: packing %3d%%", pct);
	if (done == total)
		fputc('\n', stderr);
}

static void report(const struct mkxar_options *o,
		   const struct xar_build_result *r)
{
	fprintf(stderr, "mkxar: wrote %s: %llu bytes (image %llu at offset "
		"%llu), %u inodes, %llu files (%llu duplicates stored once), "
		"%u fragment blocks, uuid %s\n", o->build.output,
		(unsigned long long)(r->offset + r->image.image_size),
		(unsigned long long)r->image.bytes_used,
		(unsigned long long)r->offset, r->image.inodes,
		(unsigned long long)r->image.files,
		(unsigned long long)r->image.dup_files, r->image.fragments,
		r->uuid);
}

/* -v with a start-up list: how much of it the image holds. */
static void report_startup(const struct mkxar_options *o,
			   const struct xar_build_result *r, int app_status)
{
	if (!o->profile_args && !o->startup_list && !r->startup_files)
		return;
	fprintf(stderr, "mkxar: start-up list: %zu files laid out first%s",
		r->startup_files, o->profile_args || o->startup_list ? "" :
		o->python.bundle ? " (guessed: the bundled interpreter's, then "
		"the entry point's imports)" :
		" (guessed from the entry point's imports)");
	if (r->startup_skipped)
		fprintf(stderr, ", %zu lines naming no file skipped",
			r->startup_skipped);
	if (o->profile_args && app_status)
		fprintf(stderr, " (the profile run exited with status %d)",
			WIFEXITED(app_status) ? WEXITSTATUS(app_status) :
			128 + WTERMSIG(app_status));
	fputc('\n', stderr);
}

/* --new-key NAME: print the new key's id. */
static int new_key(const char *name)
{
	char id[XAR_KEY_ID_HEX + 1];
	struct xar_err err;

	if (xar_key_generate(name, id, &err)) {
		fprintf(stderr, "mkxar: error: %s\n", err.msg);
		return 1;
	}
	printf("mkxar: wrote %s.key and %s.pub, key id %s\n", name, name, id);
	return 0;
}

/* "12.3 MB": sizes in the summary line. */
static void human(uint64_t n, char *buf, size_t len)
{
	if (n >= 1024 * 1024)
		snprintf(buf, len, "%.1f MB", (double)n / (1024.0 * 1024.0));
	else if (n >= 1024)
		snprintf(buf, len, "%.1f KB", (double)n / 1024.0);
	else
		snprintf(buf, len, "%llu bytes", (unsigned long long)n);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The one line a build ends with unless -q. */
static void summary(const struct mkxar_options *o,
		    const struct xar_build_result *r, double secs)
{
	char in[32], out[32];

	human(r->image.input_bytes, in, sizeof(in));
	human(r->offset + r->image.image_size, out, sizeof(out));
	fprintf(stderr, "mkxar: %s: %llu files, %s -> %s in %.1f s\n",
		o->build.output, (unsigned long long)r->image.files, in, out,
		secs);
}

/* On a terminal: what a long Python phase is doing. */
static void show_phase(const char *what, size_t n, void *arg)
{
	(void)arg;
	if (n)
		fprintf(stderr, "mkxar: %s (%zu)...\n", what, n);
	else
		fprintf(stderr, "mkxar: %s...\n", what);
}

/* -v: each file --bundle-python took from the build machine. */
static void show_bundled(const char *image_path, const char *from, void *arg)
{
	(void)arg;
	fprintf(stderr, "mkxar: bundled %s from %s\n", image_path, from);
}

int main(int argc, char **argv)
{
	struct mkxar_options o;
	struct xar_build_result r;
	struct xar_err err = { 0 };
	int rc = mkxar_parse_options(&o, argc, argv);
	double start;
	int app_status;

	if (rc) {
		mkxar_options_free(&o);
		return rc == 1 ? 0 : 2;
	}
	if (o.new_key) {
		rc = new_key(o.new_key);
		mkxar_options_free(&o);
		return rc;
	}
	if (!o.quiet && isatty(STDERR_FILENO)) {
		o.build.sqfs.progress = show_progress;
		o.python.phase = show_phase;
	}
	if (o.verbose)
		o.python.bundled = show_bundled;
	catch_signals();
	start = now();
	if (mkxar_build(&o, &r, &app_status, &err)) {
		die_if_interrupted();
		fprintf(stderr, "mkxar: error: %s\n", err.msg);
		rc = 1;
	} else if (o.verbose) {
		report(&o, &r);
		report_startup(&o, &r, app_status);
	} else if (!o.quiet) {
		summary(&o, &r, now() - start);
	}
	mkxar_options_free(&o);
	return rc;
}
