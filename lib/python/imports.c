/* The start-up list mkxar guesses for a Python xar built without one: the
 * entry module's imports, followed statically, in the order the
 * interpreter meets them. Built plainly, the files a start reads lie
 * wherever the image's name order puts them (Django's 59 modules of
 * `django-admin --version` in 16 blocks); listed, the writer lays them out
 * first and together, and a first mount prefetches them. The guess names
 * what a start was recorded reading: Django's 59 modules in the same
 * order, 143 of numpy.f2py's 144 (the other, _multiarray_tests, is not
 * imported by a statement the guess follows).
 *
 * Followed: import statements that run when a module is imported: those at
 * module level, in class bodies and in if/try/with/for/while blocks, but
 * not in functions or under `if TYPE_CHECKING:`. Only modules in the image
 * are listed: at its root, where the bootstrap puts sys.path[0], then in a
 * bundled standard library (hermetic xars: pygmentize's cold start went
 * from hot + 38.8 to + 28.4 ms in a row, + 38.2 to + 30.4 on a first
 * mount); modules built in or frozen into the interpreter are read from
 * no file and left out. */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* argv: ENTRY (module[:function]) TAG COMPILED OUT STDLIB (or ""); stdin:
 * "image path\0disk path\0" pairs of the image's .py and .so files (the
 * bundled standard library's among them). Writes one image
 * path a line to OUT: a module's pyc when it was compiled (else its
 * source), an extension module whole (the loader maps it and touches
 * most of it: numpy's core, 34 of its 36 blocks), and before a
 * package's the names of the extension modules the import system looks
 * for first and does not find, marked absent (the server looks those up
 * ahead, as it does for a recorded list). */
static const char guess_script[] =
	"import ast, sys, _imp\n"
	"from importlib.machinery import EXTENSION_SUFFIXES\n"
	"sys.setrecursionlimit(20000)\n"
	"entry, tag, compiled, out, stdlib = sys.argv[1:6]\n"
	"data = sys.stdin.buffer.read().split(b'\\0')\n"
	"roots = [''] + ([stdlib + '/', stdlib + '/lib-dynload/'] if stdlib "
	"else [])\n"
	"files = [(data[i].decode(errors='surrogateescape'), "
	"data[i + 1].decode(errors='surrogateescape'))\n"
	"         for i in range(0, len(data) - 1, 2)]\n"
	"src, ext, sos = {}, {}, set()\n"
	"for root in roots:  # in sys.path's order: the first one found wins\n"
	"    for img, disk in files:\n"
	"        if any(c in img for c in '\\t\\n\\r') or "
	"not img.startswith(root):\n"
	"            continue  # a list line holds one path; not this root's\n"
	"        rel = img[len(root):]\n"
	"        if rel.endswith('.py'):\n"
	"            name = rel[:-3].replace('/', '.')\n"
	"            pkg = name.endswith('.__init__') or name == '__init__'\n"
	"            name = name[:-9] if pkg else name\n"
	"            src.setdefault(name, (img, disk, pkg))\n"
	"        elif rel.endswith('.so'):\n"
	"            sos.add(img)\n"
	"            d, _, b = rel.rpartition('/')\n"
	"            name = (d + '/' if d else '') + b.split('.')[0]\n"
	"            ext.setdefault(name.replace('/', '.'), img)\n"
	"def checking(t):\n"
	"    return getattr(t, 'id', getattr(t, 'attr', None)) == 'TYPE_CHECKING'\n"
	"def imports(body, pkg, found):\n"
	"    for s in body:\n"
	"        if isinstance(s, ast.Import):\n"
	"            found += [(a.name, ()) for a in s.names]\n"
	"        elif isinstance(s, ast.ImportFrom):\n"
	"            base = s.module or ''\n"
	"            if s.level:\n"
	"                p = pkg.split('.')\n"
	"                p = p[:len(p) - s.level + 1]\n"
	"                base = '.'.join(p + [base] if base else p)\n"
	"            found.append((base, tuple(a.name for a in s.names)))\n"
	"        elif isinstance(s, ast.If):\n"
	"            if not checking(s.test):\n"
	"                imports(s.body, pkg, found)\n"
	"            imports(s.orelse, pkg, found)\n"
	"        elif isinstance(s, ast.Try):\n"
	"            for b in [s.body, s.orelse, s.finalbody] + "
	"[h.body for h in s.handlers]:\n"
	"                imports(b, pkg, found)\n"
	"        elif isinstance(s, (ast.ClassDef, ast.With, ast.For, ast.While)):\n"
	"            imports(s.body, pkg, found)\n"
	"    return found\n"
	"listed, seen = [], set()\n"
	"def load(name):\n"
	"    if name in seen or len(listed) >= 4000:\n"
	"        return\n"
	"    seen.add(name)\n"
	"    if name in sys.builtin_module_names or _imp.is_frozen(name):\n"
	"        return\n"
	"    if '.' in name:\n"
	"        load(name.rpartition('.')[0])\n"
	"    if name in ext:\n"
	"        listed.append(ext[name])\n"
	"        return\n"
	"    if name not in src:\n"
	"        return\n"
	"    img, disk, pkg = src[name]\n"
	"    d, _, base = img.rpartition('/')\n"
	"    if pkg:\n"
	"        listed.extend(p + '\\tabsent' for p in\n"
	"                      ((d + '/' if d else '') + '__init__' + x\n"
	"                       for x in EXTENSION_SUFFIXES) if p not in sos)\n"
	"    pyc = (d + '/' if d else '') + '__pycache__/' + base[:-3] + '.' + "
	"tag + '.pyc'\n"
	"    listed.append(pyc if compiled == '1' else img)\n"
	"    try:\n"
	"        with open(disk, 'rb') as f:\n"
	"            found = imports(ast.parse(f.read()).body, name if pkg else "
	"name.rpartition('.')[0], [])\n"
	"    except (OSError, SyntaxError, ValueError, RecursionError,\n"
	"            MemoryError):\n"
	"        return\n"
	"    for base, names in found:\n"
	"        if base:\n"
	"            load(base)\n"
	"        for n in names:\n"
	"            if n != '*':\n"
	"                load(base + '.' + n if base else n)\n"
	"module, _, func = entry.partition(':')\n"
	"load(module)\n"
	"if not func:\n"
	"    load(module + '.__main__')\n"
	"with open(out, 'w', errors='surrogateescape') as f:\n"
	"    f.write(''.join(p + '\\n' for p in listed))\n";

static int is_module(const char *p)
{
	size_t n = strlen(p);

	return n > 3 && (!strcmp(p + n - 3, ".py") || !strcmp(p + n - 3, ".so"));
}

int xar_python_guess_startup(const struct xar_python_opts *opts,
			     const struct xar_python_info *info,
			     const struct xar_python_file *files,
			     size_t nfiles, const char *entry,
			     const char *stdlib, const char *out_path,
			     struct xar_err *err)
{
	char *argv[] = { info->executable, (char *)"-I", (char *)"-c",
			 (char *)guess_script, (char *)entry,
			 (char *)info->tag,
			 (char *)(opts->no_compile ? "0" : "1"),
			 (char *)out_path, (char *)(stdlib ? stdlib : ""),
			 NULL };
	size_t in_len = 0;
	char *in = xar_python_pairs(files, nfiles, is_module, &in_len);
	int rc;

	if (!in)
		return xar_err_set(err, ENOMEM, "out of memory");
	rc = xar_python_spawn(argv, NULL, in, in_len, NULL, 0, err);
	if (rc > 0)
		rc = xar_err_set(err, EIO, "following the entry point's imports "
				 "with '%s' failed (exit status %d)",
				 info->executable, rc);
	free(in);
	return rc < 0 ? -1 : 0;
}
