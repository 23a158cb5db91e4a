#!/usr/bin/env python3
"""tree-manifest: a canonical listing of a directory tree on disk, for tests
to diff against sqfs-manifest's listing of a SquashFS image.

usage: tree-manifest.py [--root-owner] [--mtime-clamp N] DIR

  --root-owner     print uid and gid 0 instead of the real owners (images
                   are root:root unless built with --keep-owner)
  --mtime-clamp N  print min(mtime, N), as SOURCE_DATE_EPOCH=N clamps them

Manifest format (the same in sqfs-manifest.c): one line per entry below
DIR (DIR itself is not listed), sorted by escaped path as bytes, nine
TAB-separated fields:

  path  type  mode  uid  gid  mtime  size  digest  hardlink-group

  path    relative to DIR, '/'-separated; every byte < 0x21, '\\' and every
          byte >= 0x7f written as '\\' and three octal digits (so a space is
          \\040 and a newline \\012)
  type    file, dir, symlink, fifo, sock, chr or blk
  mode    permission bits with setuid/setgid/sticky, 4 octal digits
  uid gid numeric owners
  mtime   seconds since the epoch
  size    file: bytes; symlink: target length; others: '-'
  digest  file: sha256 of the contents; symlink: sha256 of the target;
          chr/blk: MAJOR,MINOR; others: '-'
  hardlink-group  for a non-directory that shares its inode with other
          listed paths: the (escaped) lexicographically first of them;
          otherwise '-'

Directory sizes and link counts are not listed. Symlinks are not followed.
Standard library only.
"""
import errno
import hashlib
import os
import stat
import sys

TYPES = [
    (stat.S_ISREG, "file"), (stat.S_ISDIR, "dir"), (stat.S_ISLNK, "symlink"),
    (stat.S_ISFIFO, "fifo"), (stat.S_ISSOCK, "sock"), (stat.S_ISCHR, "chr"),
    (stat.S_ISBLK, "blk"),
]


def escape(raw):
    """Bytes to one printable line, reversibly."""
    out = []
    for c in raw:
        if c < 0x21 or c == 0x5C or c >= 0x7F:
            out.append("\\%03o" % c)
        else:
            out.append(chr(c))
    return "".join(out)


def type_name(mode):
    for test, name in TYPES:
        if test(mode):
            return name
    return "unknown"


CHUNK = 1 << 20
ZEROS = memoryview(bytes(CHUNK))


def next_data(fd, pos, size):
    """Where data resumes at or after pos (size when only a hole is left)."""
    try:
        return os.lseek(fd, pos, os.SEEK_DATA)
    except OSError as e:
        return size if e.errno == errno.ENXIO else pos


def next_hole(fd, pos, size):
    try:
        return os.lseek(fd, pos, os.SEEK_HOLE)
    except OSError:
        return size


def sha_file(path):
    """sha256 of the contents; holes are hashed as zeros without reading."""
    h = hashlib.sha256()
    with open(path, "rb", buffering=0) as f:
        fd = f.fileno()
        size = os.fstat(fd).st_size
        pos = 0
        while pos < size:
            data = min(next_data(fd, pos, size), size)
            while pos < data:
                n = min(CHUNK, data - pos)
                h.update(ZEROS[:n])
                pos += n
            hole = min(next_hole(fd, pos, size), size) if pos < size else pos
            os.lseek(fd, pos, os.SEEK_SET)
            while pos < hole:
                chunk = f.read(min(CHUNK, hole - pos))
                if not chunk:
                    raise OSError(errno.EIO, "file shrank while hashing", path)
                h.update(chunk)
                pos += len(chunk)
    return h.hexdigest()


def describe(path, st):
    """(size, digest) fields for one entry."""
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return str(st.st_size), sha_file(path)
    if stat.S_ISLNK(mode):
        target = os.readlink(path)
        return str(len(target)), hashlib.sha256(target).hexdigest()
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "-", "%d,%d" % (os.major(st.st_rdev), os.minor(st.st_rdev))
    return "-", "-"


def walk(top):
    """Yield (relative path bytes, absolute path bytes) below top."""
    stack = [b""]
    while stack:
        rel = stack.pop()
        base = os.path.join(top, rel) if rel else top
        for name in sorted(os.listdir(base)):
            sub = os.path.join(rel, name) if rel else name
            full = os.path.join(top, sub)
            yield sub, full
            if stat.S_ISDIR(os.lstat(full).st_mode):
                stack.append(sub)


def main(argv):
    root_owner = False
    clamp = None
    args = list(argv[1:])
    while args and args[0].startswith("--"):
        opt = args.pop(0)
        if opt == "--root-owner":
            root_owner = True
        elif opt == "--mtime-clamp" and args:
            clamp = int(args.pop(0))
        else:
            args = []
            break
    if len(args) != 1:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    top = os.fsencode(args[0])

    rows = []
    inodes = {}
    for rel, full in walk(top):
        st = os.lstat(full)
        mtime = st.st_mtime_ns // 1_000_000_000
        if clamp is not None and mtime > clamp:
            mtime = clamp
        size, digest = describe(full, st)
        path = escape(rel)
        uid, gid = (0, 0) if root_owner else (st.st_uid, st.st_gid)
        row = [path, type_name(st.st_mode), "%04o" % (st.st_mode & 0o7777),
               str(uid), str(gid), str(mtime), size, digest, "-"]
        if not stat.S_ISDIR(st.st_mode):
            inodes.setdefault((st.st_dev, st.st_ino), []).append(row)
        rows.append(row)

    for group in inodes.values():
        if len(group) > 1:
            first = min(r[0] for r in group)
            for r in group:
                r[8] = first

    rows.sort(key=lambda r: r[0])
    out = sys.stdout
    for r in rows:
        out.write("\t".join(r) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
