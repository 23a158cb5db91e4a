"""licenses: list, fill in and recognise common open-source licence texts.

The texts are data files inside the package (licenses/data/*.txt), read
through importlib.resources, so they work the same from a source tree, a
zip file or a mounted xar (where they are plain files).
"""
import re

__version__ = "1.0"

try:
    from importlib.resources import files as _files
except ImportError:  # Python 3.7, 3.8: plain files beside this module
    _files = None


def _data():
    if _files is not None:
        return _files(__name__) / "data"
    import pathlib
    return pathlib.Path(__file__).parent / "data"


def data_dir():
    """Where the licence texts are (a plain directory in a xar)."""
    return str(_data())


def names():
    return sorted(p.name[:-4] for p in _data().iterdir() if p.name.endswith(".txt"))


def text(name):
    """The licence template called name (case-insensitive), or KeyError."""
    for n in names():
        if n.lower() == name.lower():
            return n, (_data() / (n + ".txt")).read_text(encoding="utf-8")
    raise KeyError(name)


def words(s):
    return set(re.findall(r"[a-z0-9]+", s.lower()))
