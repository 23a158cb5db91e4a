/* Bytecode for the image, made at build time by the recorded interpreter.
 *
 * The pycs are unchecked-hash pycs (PEP 552): valid whatever mtime the
 * image stores for the source (mkxar may clamp mtimes for reproducible
 * builds, which would silently invalidate timestamp pycs), and the import
 * system does not even read the source to check them, which is right for
 * an image that cannot change. Their code objects name the image path
 * ("pkg/mod.py", not the build's temporary path), so two builds give the
 * same bytes; at import the loader points co_filename at the real file
 * under the mount, so tracebacks show where the source is. */
#include "internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Reads "image path\0disk path\0" pairs on stdin. A file that does not
 * compile (Python 2 code in a test directory, say) is skipped with a
 * warning, as pip and compileall do; anything else fails the build. With
 * a second argument it counts the modules done on its stderr (mkxar's
 * terminal), as pip shows its own progress there. */
static const char compile_script[] =
	"import os, sys, py_compile\n"
	"out, tag = sys.argv[1], sys.implementation.cache_tag\n"
	"prog = len(sys.argv) > 2\n"
	"mode = py_compile.PycInvalidationMode.UNCHECKED_HASH\n"
	"data = sys.stdin.buffer.read().split(b'\\0')\n"
	"total = (len(data) - 1) // 2\n"
	"for i in range(0, len(data) - 1, 2):\n"
	"    img, src = os.fsdecode(data[i]), os.fsdecode(data[i + 1])\n"
	"    d, name = os.path.split(img)\n"
	"    cfile = os.path.join(out, d, '__pycache__',\n"
	"                         name[:-3] + '.' + tag + '.pyc')\n"
	"    try:\n"
	"        py_compile.compile(src, cfile=cfile, dfile=img, doraise=True,\n"
	"                           invalidation_mode=mode)\n"
	"    except py_compile.PyCompileError as e:\n"
	"        sys.stderr.write('mkxar: warning: not compiling %s: %s: %s\\n'\n"
	"                         % (img, e.exc_type_name, e.exc_value))\n"
	"    if prog and (i // 2 % 25 == 24 or i // 2 + 1 == total):\n"
	"        sys.stderr.write('\\rmkxar: compiled %d of %d modules'\n"
	"                         % (i // 2 + 1, total))\n"
	"        sys.stderr.flush()\n"
	"if prog and total:\n"
	"    sys.stderr.write('\\n')\n";

static int wants_pyc(const char *p)
{
	size_t n = strlen(p);
	const char *base = strrchr(p, '/');

	base = base ? base + 1 : p;
	return n > 3 && !strcmp(p + n - 3, ".py") && strcmp(base, ".py") &&
	       !strstr(p, "__pycache__/");
}

char *xar_python_pairs(const struct xar_python_file *files, size_t n,
		       int (*want)(const char *image_path), size_t *len)
{
	size_t total = 0, i, a, b;
	char *buf, *w;

	for (i = 0; i < n; i++) {
		if (!want(files[i].image_path))
			continue;
		a = strlen(files[i].image_path);
		b = strlen(files[i].disk_path);
		if (total > SIZE_MAX - a - b - 2)
			return NULL;
		total += a + b + 2;
	}
	buf = malloc(total ? total : 1);
	if (!buf)
		return NULL;
	for (w = buf, i = 0; i < n; i++) {
		if (!want(files[i].image_path))
			continue;
		a = strlen(files[i].image_path) + 1;
		b = strlen(files[i].disk_path) + 1;
		memcpy(w, files[i].image_path, a);
		memcpy(w + a, files[i].disk_path, b);
		w += a + b;
	}
	*len = total;
	return buf;
}

size_t xar_python_count_modules(const struct xar_python_file *files,
				size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += wants_pyc(files[i].image_path) ? 1 : 0;
	return k;
}

int xar_python_compile(const struct xar_python_info *info,
		       const struct xar_python_file *files, size_t n,
		       const char *out_dir, int progress, struct xar_err *err)
{
	char *argv[] = { info->executable, (char *)"-I", (char *)"-c",
			 (char *)compile_script, (char *)out_dir,
			 progress ? (char *)"progress" : NULL, NULL };
	size_t len = 0;
	char *list = xar_python_pairs(files, n, wants_pyc, &len);
	int rc;

	if (!list)
		return xar_err_set(err, ENOMEM, "out of memory");
	rc = len ? xar_python_spawn(argv, NULL, list, len, NULL, 0, err) : 0;
	if (rc > 0)
		rc = xar_err_set(err, EIO, "compiling the image's Python files "
				 "with '%s' failed (exit status %d)",
				 info->executable, rc);
	free(list);
	return rc < 0 ? -1 : 0;
}
