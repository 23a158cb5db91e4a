"""crc32c: CRC-32C checksums of files, computed by a C extension module."""
from crc32c._crc32c import crc32c

__all__ = ["crc32c", "file_crc"]


def file_crc(f, size=1 << 16):
    crc = 0
    while True:
        chunk = f.read(size)
        if not chunk:
            return crc
        crc = crc32c(chunk, crc)
