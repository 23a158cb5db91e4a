#!/usr/bin/env python3
"""hostile-xar: make the broken xars that tests/e2e/xarexec/test_hostile_input.sh
feeds to xarexec and mkxar never writes. Standard library only.

  hostile-xar.py fields XAR
      print the superblock, one "name value" a line (offsets in the image).
  hostile-xar.py wrap IMAGE OUT [KEY=VALUE...]
      IMAGE behind a minimal header (OFFSET 4096, a UUID from the image's
      SHA-256, VERSION 1, then the KEY="VALUE" lines as given, unchecked).
  hostile-xar.py header XAR OUT KEY VALUE
      XAR with the header line KEY="VALUE" replaced or added, unchecked
      (VALUE may hold any byte but a newline; \\0 in it becomes NUL), the
      header padded back to OFFSET.
  hostile-xar.py super XAR OUT FIELD VALUE
      XAR with superblock FIELD (inodes, block_size, fragments, ids,
      root, bytes_used, id_table, inode_table, dir_table, frag_table,
      export_table, xattr_table, ...) set to VALUE.
  hostile-xar.py file-size XAR OUT PATH SIZE
      the extended regular inode of PATH claims SIZE bytes.
  hostile-xar.py dir-loop XAR OUT PATH
      the entry PATH (a directory) points back at the root directory.
  hostile-xar.py name-size XAR OUT PATH N
      the entry PATH claims a name of N bytes (SquashFS allows 256).
  hostile-xar.py entry-offset XAR OUT PATH OFF
      the entry PATH points at offset OFF of its inode's metadata block.

These give the xar the UUID of its new contents, hence a mount of
its own. The last four need an image with uncompressed metadata
(mksquashfs -noI), small enough that no inode or directory listing they
read straddles two metadata blocks.
"""
import hashlib
import struct
import sys

OFFSET = 4096
SUPER = [("magic", "I"), ("inodes", "I"), ("mkfs_time", "I"),
         ("block_size", "I"), ("fragments", "I"), ("compression", "H"),
         ("block_log", "H"), ("flags", "H"), ("ids", "H"), ("major", "H"),
         ("minor", "H"), ("root", "Q"), ("bytes_used", "Q"),
         ("id_table", "Q"), ("xattr_table", "Q"), ("inode_table", "Q"),
         ("dir_table", "Q"), ("frag_table", "Q"), ("export_table", "Q")]


def die(msg):
    sys.exit("hostile-xar: " + msg)


def header_text(lines):
    text = "\n".join(lines + ["#xar_stop",
                              "echo This XAR file should not be executed by sh",
                              "exit 1",
                              "# Actual squashfs file begins at %d" % OFFSET])
    data = (text + "\n").encode("latin-1")
    if len(data) > OFFSET:
        die("header longer than %d bytes" % OFFSET)
    return data + b"\n" * (OFFSET - len(data))


def wrap(image, kvs):
    image += b"\0" * (-len(image) % OFFSET)
    uuid = hashlib.sha256(image).hexdigest()[:16]
    lines = ["#!/usr/bin/env xarexec", 'OFFSET="%d"' % OFFSET,
             'UUID="%s"' % uuid, 'VERSION="1"']
    lines += ['%s="%s"' % tuple(kv.split("=", 1)) for kv in kvs]
    return header_text(lines) + image


def set_header(xar, key, value):
    value = value.replace("\\0", "\0")
    head, image = xar[:OFFSET], xar[OFFSET:]
    lines = head.decode("latin-1").split("\n")
    stop = lines.index("#xar_stop")
    body = [ln for ln in lines[:stop] if not ln.startswith(key + "=")]
    body.append('%s="%s"' % (key, value))
    return header_text(body) + image


def new_uuid(xar):
    """A patched image gets its own UUID, hence its own mount."""
    return set_header(xar, "UUID", hashlib.sha256(xar[OFFSET:]).hexdigest()[:16])


def fields(img):
    out, at = {}, 0
    for name, code in SUPER:
        size = struct.calcsize("<" + code)
        out[name] = (at, code, struct.unpack_from("<" + code, img, at)[0])
        at += size
    return out


def set_super(xar, name, value):
    buf = bytearray(xar)
    at, code, _ = fields(xar[OFFSET:])[name]
    struct.pack_into("<" + code, buf, OFFSET + at, value)
    return bytes(buf)


def md(buf, table, ref):
    """File position of (block, offset) in an uncompressed metadata table."""
    block, offset = ref >> 16, ref & 0xFFFF
    hdr = struct.unpack_from("<H", buf, table + block)[0]
    if not hdr & 0x8000:
        die("metadata is compressed: build the image with mksquashfs -noI")
    return table + block + 2 + offset


def dir_entries(buf, sb, ref):
    """(file position of each entry, name, inode ref) in directory ref."""
    at = md(buf, OFFSET + sb["inode_table"], ref)
    itype = struct.unpack_from("<H", buf, at)[0]
    if itype == 1:
        start, _nl, size, off = struct.unpack_from("<IIHH", buf, at + 16)
    elif itype == 8:
        _nl, size, start, _p, _ic, off = struct.unpack_from("<IIIIHH", buf,
                                                            at + 16)
    else:
        die("not a directory")
    pos = md(buf, OFFSET + sb["dir_table"], (start << 16) | off)
    end, out = pos + size - 3, []
    while pos < end:
        count, hstart, _ino = struct.unpack_from("<III", buf, pos)
        pos += 12
        for _ in range(count + 1):
            eoff, _d, _t, nsize = struct.unpack_from("<HhHH", buf, pos)
            name = buf[pos + 8:pos + 9 + nsize].decode("latin-1")
            out.append((pos, name, (hstart << 16) | eoff))
            pos += 9 + nsize
    return out


def entry(buf, path):
    """The superblock, the file position and the inode ref of the entry
    at path ("name" or "dir/name", ...)."""
    sb = {k: v[2] for k, v in fields(buf[OFFSET:]).items()}
    ref, found = sb["root"], None
    for name in path.split("/"):
        found = None
        for pos, n, r in dir_entries(buf, sb, ref):
            if n == name:
                found, ref = pos, r
                break
        if found is None:
            die("no entry %r" % path)
    return sb, found, ref


def file_size(xar, name, size):
    buf = bytearray(xar)
    sb, _pos, ref = entry(buf, name)
    at = md(buf, OFFSET + sb["inode_table"], ref)
    if struct.unpack_from("<H", buf, at)[0] != 9:
        die("%r has no extended inode (give it a hard link)" % name)
    struct.pack_into("<Q", buf, at + 16 + 8, size)
    return bytes(buf)


def dir_loop(xar, name):
    buf = bytearray(xar)
    sb, pos, ref = entry(buf, name)
    if (ref >> 16) != (sb["root"] >> 16):
        die("%r and the root are in different metadata blocks" % name)
    struct.pack_into("<H", buf, pos, sb["root"] & 0xFFFF)
    return bytes(buf)


def set_entry(xar, name, field, value):
    buf = bytearray(xar)
    _sb, pos, _ref = entry(buf, name)
    struct.pack_into("<H", buf, pos + field, value)
    return bytes(buf)


def main(argv):
    if len(argv) == 2 and argv[0] == "fields":
        with open(argv[1], "rb") as f:
            for name, (_at, _code, value) in fields(f.read()[OFFSET:]).items():
                print(name, value)
        return
    if len(argv) < 3:
        die("usage: see the top of this file")
    cmd, src, out = argv[0], argv[1], argv[2]
    with open(src, "rb") as f:
        data = f.read()
    rest = argv[3:]
    if cmd == "wrap":
        data = wrap(data, rest)
    elif cmd == "header" and len(rest) == 2:
        data = set_header(data, rest[0], rest[1])
    elif cmd == "super" and len(rest) == 2:
        data = new_uuid(set_super(data, rest[0], int(rest[1], 0)))
    elif cmd == "file-size" and len(rest) == 2:
        data = new_uuid(file_size(data, rest[0], int(rest[1], 0)))
    elif cmd == "dir-loop" and len(rest) == 1:
        data = new_uuid(dir_loop(data, rest[0]))
    elif cmd == "name-size" and len(rest) == 2:
        data = new_uuid(set_entry(data, rest[0], 6, int(rest[1], 0) - 1))
    elif cmd == "entry-offset" and len(rest) == 2:
        data = new_uuid(set_entry(data, rest[0], 0, int(rest[1], 0)))
    else:
        die("bad command line")
    with open(out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main(sys.argv[1:])
