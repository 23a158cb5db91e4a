#!/usr/bin/env python3
"""craft-xar: wrap a SquashFS image into a .xar, optionally patching names
inside it first, for tests that need xars mkxar would never write.

usage: craft-xar.py [--rename OLD=NEW]... [--no-digest] [--shebang LINE]
                    [--header KEY=VALUE]... IMAGE OUT.xar

  --rename OLD=NEW  replace the only occurrence of the bytes OLD in the
                    image by NEW (same length). Build the image with
                    `mksquashfs -noI` (uncompressed metadata) from a tree
                    holding a placeholder name of NEW's length: that is how
                    a test gets "..", "/abs/name" or two entries of one name
                    into a directory.
  --no-digest       no XAR_SHA256 (as in the original XAR format); the UUID
                    is still derived from the image
  --shebang LINE    first line (default "#!/usr/bin/env xarexec")
  --header K=V      another KEY="value" line, e.g. XAREXEC_TARGET=run.sh

The image is padded with zeros to a multiple of 4096 bytes and put at
OFFSET 4096 behind a header in the original XAR layout; UUID is the first
16 hex digits of the SHA-256 of the padded image, XAR_SHA256 all of it (as
mkxar writes them). Standard library only.
"""
import argparse
import hashlib
import sys

OFFSET = 4096


def patch(image, renames):
    for spec in renames:
        old, sep, new = spec.partition("=")
        old, new = old.encode(), new.encode()
        if not sep or len(old) != len(new) or not old:
            sys.exit("craft-xar: --rename %r: OLD and NEW must have the same "
                     "length" % spec)
        count = image.count(old)
        if count != 1:
            sys.exit("craft-xar: %r is in the image %d times, not once"
                     % (old, count))
        image = image.replace(old, new)
    return image


def header(image, args):
    digest = hashlib.sha256(image).hexdigest()
    lines = [args.shebang, 'OFFSET="%d"' % OFFSET, 'UUID="%s"' % digest[:16],
             'VERSION="1"']
    if not args.no_digest:
        lines.append('XAR_SHA256="%s"' % digest)
    lines += ['%s="%s"' % tuple(kv.split("=", 1)) for kv in args.header]
    lines += ["#xar_stop", "echo This XAR file should not be executed by sh",
              "exit 1", "# Actual squashfs file begins at %d" % OFFSET]
    text = ("\n".join(lines) + "\n").encode()
    if len(text) > OFFSET:
        sys.exit("craft-xar: the header is longer than %d bytes" % OFFSET)
    return text + b"\n" * (OFFSET - len(text))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rename", action="append", default=[])
    p.add_argument("--no-digest", action="store_true")
    p.add_argument("--shebang", default="#!/usr/bin/env xarexec")
    p.add_argument("--header", action="append", default=[])
    p.add_argument("image")
    p.add_argument("out")
    args = p.parse_args()
    with open(args.image, "rb") as f:
        image = patch(f.read(), args.rename)
    image += b"\0" * (-len(image) % OFFSET)
    with open(args.out, "wb") as f:
        f.write(header(image, args) + image)


if __name__ == "__main__":
    main()
