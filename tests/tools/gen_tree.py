#!/usr/bin/env python3
"""Generate a test tree that exercises the SquashFS writer.

usage: gen_tree.py DIR [--huge] [--devices]

Makes (deterministically; the content of each file is derived from its
name): many small files, empty files, files of exactly one block, one byte
over a block and many blocks, sparse files, duplicate files, 255-byte names,
names with spaces, newlines and non-UTF-8 bytes, deep nesting, a directory
with 10 000 entries, relative/absolute/dangling symlinks, hard links, a
fifo, a socket, setuid/setgid/sticky modes, and with --huge a sparse file
over 4 GiB; with --devices (root only) a character and a block device.
"""
import hashlib
import os
import socket
import stat
import sys

BLOCK = 128 * 1024


def data(name, size):
    """Deterministic, moderately compressible bytes."""
    out = bytearray()
    seed = hashlib.sha256(name.encode("utf-8", "surrogateescape")).digest()
    i = 0
    while len(out) < size:
        out += hashlib.sha256(seed + i.to_bytes(8, "little")).digest()[:16]
        out += b"line %d of %s\n" % (i, seed[:4].hex().encode())
        i += 1
    return bytes(out[:size])


def write(path, content, mode=0o644):
    with open(path, "wb") as f:
        f.write(content)
    os.chmod(path, mode)


def sparse(path, size, chunks):
    with open(path, "wb") as f:
        for off, blob in chunks:
            f.seek(off)
            f.write(blob)
        f.truncate(size)


def main():
    root = sys.argv[1]
    huge = "--huge" in sys.argv
    devices = "--devices" in sys.argv
    os.makedirs(root)
    j = lambda *p: os.path.join(root, *p)

    os.makedirs(j("small"))
    for i in range(2000):
        write(j("small", "f%04d.txt" % i), data("s%d" % i, i % 700))
    for i in range(5):
        write(j("empty%d" % i), b"")
    write(j("one_block"), data("one", BLOCK))
    write(j("block_plus_one"), data("plus", BLOCK + 1))
    write(j("many_blocks"), data("many", 9 * BLOCK + 12345))
    write(j("zeros"), bytes(3 * BLOCK + 100))
    sparse(j("sparse"), 20 * BLOCK + 77,
           [(5 * BLOCK + 3, data("sp1", 1000)), (12 * BLOCK, data("sp2", BLOCK))])
    if huge:
        sparse(j("huge_sparse"), (4 << 30) + 3 * BLOCK + 5,
               [(0, data("h0", 100)), ((4 << 30) + BLOCK, data("h1", 5000))])
    write(j("dup_a"), data("dup", 3 * BLOCK + 999))
    write(j("dup_b"), data("dup", 3 * BLOCK + 999))
    write(j("small", "dup_small"), data("s7", 7 % 700))

    write(j("n" * 255), data("long", 300))
    os.makedirs(j("d" * 255))
    write(j("d" * 255, "x" * 255), b"deep long\n")
    write(j("with space.txt"), b"space\n")
    write(j("new\nline"), b"newline\n")
    write(j(os.fsdecode(b"bytes\xff\xfe\x80")), b"not utf-8\n")
    write(j("tab\tand\\backslash"), b"odd\n")

    deep = j("deep")
    for i in range(60):
        deep = os.path.join(deep, "level%02d" % i)
    os.makedirs(deep)
    write(os.path.join(deep, "bottom.txt"), b"bottom\n")

    os.makedirs(j("big_dir"))
    for i in range(10000):
        write(j("big_dir", "entry-%05d-%s" % (i, "x" * (i % 40))), b"" if i % 3 else b"e%d\n" % i)

    os.makedirs(j("links"))
    os.symlink("../one_block", j("links", "relative"))
    os.symlink("/etc/hostname", j("links", "absolute"))
    os.symlink("does/not/exist", j("links", "dangling"))
    os.symlink("l" * 1000, j("links", "long_target"))
    write(j("links", "hard1"), data("hard", 5000))
    os.link(j("links", "hard1"), j("links", "hard2"))
    os.link(j("links", "hard1"), j("small", "hard3"))
    os.symlink("hard1", j("links", "sym_to_hard"))
    os.link(j("links", "sym_to_hard"), j("links", "hard_symlink"), follow_symlinks=False)

    os.makedirs(j("special"))
    os.mkfifo(j("special", "fifo"))
    s = socket.socket(socket.AF_UNIX)
    s.bind(j("special", "socket"))
    s.close()
    if devices:
        os.mknod(j("special", "chr"), stat.S_IFCHR | 0o600, os.makedev(1, 3))
        os.mknod(j("special", "blk"), stat.S_IFBLK | 0o640, os.makedev(259, 70000))

    os.makedirs(j("modes"))
    for name, mode in [("setuid", 0o4755), ("setgid", 0o2755), ("private", 0o600),
                       ("exec", 0o755), ("none", 0o000)]:
        write(j("modes", name), data(name, 50), mode)
    os.makedirs(j("modes", "sticky"))
    os.chmod(j("modes", "sticky"), 0o1777)
    os.makedirs(j("modes", "emptydir"))

    # Varied mtimes, including before 1970 is impossible in SquashFS; keep >= 0.
    t = 1_600_000_000
    for dirpath, dirnames, filenames in os.walk(root, topdown=False):
        for n in filenames + dirnames:
            p = os.path.join(dirpath, n)
            t += 7
            os.utime(p, (t, t), follow_symlinks=False)
    os.utime(root, (t + 1, t + 1))


if __name__ == "__main__":
    main()
