"""licenses: list, fill in and recognise common open-source licence texts.

The texts are data files inside the package (licenses/data/*.txt), read
through importlib.resources, so they work the same from a source tree, a
wheel or a mounted xar.
"""
import os
import re

__version__ = "1.0"

try:
    from importlib.resources import files as _files
except ImportError:  # Python 3.7, 3.8
    _files = None


def data_dir():
    """Where the licence texts are, as a plain directory path."""
    if _files is not None:
        return str(_files(__name__) / "data")
    return os.path.join(os.path.dirname(__file__), "data")


def names():
    return sorted(n[:-4] for n in os.listdir(data_dir()) if n.endswith(".txt"))


def text(name):
    """The licence template called name (case-insensitive), or KeyError."""
    for n in names():
        if n.lower() == name.lower():
            with open(os.path.join(data_dir(), n + ".txt"), encoding="utf-8") as f:
                return n, f.read()
    raise KeyError(name)


def words(s):
    return set(re.findall(r"[a-z0-9]+", s.lower()))
