/* lib/elf: the dynamic information of ELF files, and the shared libraries
 * a set of programs and extension modules needs, found the way the glibc
 * dynamic loader (ld.so) finds them. mkxar --bundle-python copies what it
 * finds into an image.
 *
 * Every byte of a file read here is untrusted: offsets and sizes are
 * checked against the file's size, counts are capped, sums checked for
 * overflow. The one public header of this folder; see lib/README.md. */
#ifndef XAR_ELF_H
#define XAR_ELF_H

#include <elf.h> /* EM_X86_64, ELFCLASS64, ET_DYN, ... */
#include <stddef.h>

#include "base/base.h"

/* Caps on what one file or one resolution may hold. */
#define XAR_ELF_MAX_PHDRS   1024u       /* program headers of a file */
#define XAR_ELF_MAX_NEEDED  1024u       /* DT_NEEDED entries of a file */
#define XAR_ELF_MAX_DYNAMIC (1u << 20)  /* bytes of PT_DYNAMIC */
#define XAR_ELF_MAX_STRTAB  (64u << 20) /* bytes of the dynamic string table */
#define XAR_ELF_MAX_LIBS    4096u       /* libraries of one resolution */
#define XAR_ELF_MAX_DIRS    256u        /* directories of one search path */

struct xar_elf_info {
	int machine;        /* e_machine, e.g. EM_X86_64 */
	int elf_class;      /* ELFCLASS64 / ELFCLASS32 */
	int type;           /* e_type */
	int complete;       /* 1: an ELF64 little-endian file, all read;
			       0: only machine, elf_class and type are set */
	char *interp;       /* PT_INTERP, or NULL */
	char **needed;      /* DT_NEEDED names, in order */
	size_t nneeded;
	char *rpath, *runpath, *soname; /* as in the file (an RPATH is kept
					   even beside a RUNPATH), or NULL */
	int dynamic;        /* has PT_DYNAMIC */
};

/* 1 when path is a regular file starting with the ELF magic, 0 when not
 * (also a directory, a FIFO, a file of under 4 bytes), -1 when it cannot
 * be opened or read. */
int xar_elf_is_elf(const char *path, struct xar_err *err);

/* Read the headers of an ELF file into *info (zeroed first). An ELF64
 * little-endian file is read fully (complete = 1), whatever its machine;
 * for ELF32 or big-endian files only machine, elf_class and type are set
 * and 0 is returned, so that callers can say "another architecture".
 * Not ELF: -1 with "'<path>' is not an ELF file"; a damaged one: -1 with
 * "'<path>' is a damaged ELF file: <why>". On failure *info holds no
 * memory, and machine, elf_class and type are still set when the ELF
 * header could be read (else 0). */
int xar_elf_read(const char *path, struct xar_elf_info *info,
		 struct xar_err *err);
void xar_elf_info_free(struct xar_elf_info *info);

struct xar_elf_lib {
	char *name;       /* the DT_NEEDED name, e.g. "libz.so.1" */
	char *path;       /* where it was found (as found, not realpath'd) */
	char *real;       /* realpath(path) */
	char *needed_by;  /* the first object that needed it (its path) */
};

struct xar_elf_deps {
	struct xar_elf_lib *libs; /* in discovery order (breadth-first), */
	size_t nlibs;             /* each DT_NEEDED name once */
	char *interp;      /* the PT_INTERP of the first object that has one
			      (the given ones first, then the libraries in
			      order: libc.so.6 has one), or NULL */
	char *interp_real; /* its realpath */
};

struct xar_elf_search {
	const char *const *system_dirs; /* NULL: the defaults below */
	size_t nsystem_dirs;
	/* NULL: "/etc/ld.so.conf" (with its `include` globs and comments);
	 * "": none. A missing file is an empty one. */
	const char *ld_so_conf;
	int machine;              /* required e_machine; 0: the first object's */
	/* What $LIB and $PLATFORM expand to; NULL: what Debian's ld.so uses
	 * for machine ("lib/x86_64-linux-gnu" and "x86_64" on x86-64). */
	const char *dst_lib, *dst_platform;
};

/* The system directories searched last by default. */
#define XAR_ELF_SYSTEM_DIRS \
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", \
	"/usr/lib64", "/lib", "/usr/lib"

/* Resolve, recursively and breadth-first, every DT_NEEDED of the given
 * objects (executables, shared objects), as ld.so would, but without
 * LD_LIBRARY_PATH or /etc/ld.so.cache (the result depends on the files
 * alone). s may be NULL (all defaults). A name (after expanding $ORIGIN,
 * $LIB, $PLATFORM, also as ${...}) with a '/' is that path; any other is
 * looked for in
 *   1. the DT_RPATH of the object, then of the object that loaded it, and
 *      so on up, then of the first given object with a PT_INTERP (the
 *      executable) -- all only when the object has no DT_RUNPATH, and an
 *      object with a DT_RUNPATH has no DT_RPATH;
 *   2. the DT_RUNPATH of the object;
 *   3. the directories of ld.so.conf;
 *   4. the system directories.
 * $ORIGIN is the directory of the object as ld.so sees it: a given object
 * with a PT_INTERP (an executable, which the kernel runs) is realpath'd
 * first, as /proc/self/exe is; for any other object only its directory
 * is realpath'd (a library found through a symlink has the symlink's
 * directory). An element that does not expand is left out, as ld.so does.
 * A candidate that is not an ELF file, or one for another machine or class,
 * is skipped. The glibc-hwcaps and tls subdirectories are not searched.
 *
 * Errors (one line): "'libfoo.so.1', needed by '<obj>', is not found
 * (searched: <dirs>)"; "'<path>' is an ELF file for another architecture
 * (<machine>)"; "'<path>' is not an ELF file"; damaged files; more than
 * XAR_ELF_MAX_LIBS libraries or XAR_ELF_MAX_DIRS directories in a search
 * path. On error *out is empty. */
int xar_elf_resolve(const char *const *objects, size_t nobjects,
		    const struct xar_elf_search *s, struct xar_elf_deps *out,
		    struct xar_err *err);
void xar_elf_deps_free(struct xar_elf_deps *d);

/* A short name for an e_machine value ("x86-64", "aarch64", "i386", "arm",
 * "riscv", "ppc64", "s390x", ...; else "machine N"), for messages. The
 * "machine N" form is in a per-thread buffer, valid until the next call. */
const char *xar_elf_machine_name(int machine);

#endif
