/* The last build step of a Python xar: entry point, bootstraps, bytecode
 * and the header keys that tell xarexec how to start it. */
#include "python_build.h"

#include <stdlib.h>

#include "python.h"
#include "python_internal.h"

static int set_keys(const struct xar_python_info *info, const char *entry,
		    struct xar_header *hdr, struct xar_err *err)
{
	if (xar_header_set(hdr, "XAR_PYTHON", info->executable, err) < 0 ||
	    xar_header_set(hdr, "XAR_PYTHON_VERSION", info->version, err) < 0 ||
	    xar_header_set(hdr, "XAR_PYTHON_TAG", info->tag, err) < 0 ||
	    xar_header_set(hdr, "XAR_PYTHON_BOOTSTRAP",
			   XAR_PYTHON_BOOTSTRAP_PY, err) < 0 ||
	    xar_header_set(hdr, "XAR_PYTHON_ENTRY", entry, err) < 0 ||
	    xar_header_set(hdr, "XAREXEC_TARGET", XAR_PYTHON_BOOTSTRAP_SH,
			   err) < 0)
		return -1;
	return 0;
}

int xar_python_finish(const struct xar_python_opts *opts,
		      const struct xar_python_info *info,
		      const struct xar_python_file *files, size_t nfiles,
		      const char *out_dir, struct xar_header *hdr,
		      struct xar_err *err)
{
	char *entry = NULL;
	int rc = -1;

	if (xar_python_resolve_entry(opts, files, nfiles, &entry, err) < 0 ||
	    xar_python_check_entry(entry, files, nfiles, err) < 0 ||
	    xar_python_write_bootstraps(info, entry, out_dir, err) < 0)
		goto out;
	if (!opts->no_compile &&
	    xar_python_compile(info, files, nfiles, out_dir, err) < 0)
		goto out;
	rc = set_keys(info, entry, hdr, err);
out:
	free(entry);
	return rc;
}
