"""crc32c [FILE]...: print the CRC-32C of each FILE (or of stdin, or '-')."""
import os
import sys

import crc32c
from crc32c import _crc32c


def main(args):
    if args[:1] == ["--where"]:  # where the extension module came from
        print("extension:", _crc32c.__file__)
        print("XAR_RUNTIME_FILES:", os.environ.get("XAR_RUNTIME_FILES", ""))
        return 0
    status = 0
    for name in args or ["-"]:
        try:
            if name == "-":
                crc = crc32c.file_crc(sys.stdin.buffer)
            else:
                with open(name, "rb") as f:
                    crc = crc32c.file_crc(f)
        except OSError as e:
            sys.stderr.write("crc32c: %s: %s\n" % (name, e.strerror))
            status = 1
            continue
        print("%08x  %s" % (crc, name))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
