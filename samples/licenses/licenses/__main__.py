"""licenses COMMAND [ARGS]: each command is a module of licenses.commands,
also runnable on its own as `python -m licenses.commands.COMMAND`."""
import importlib
import sys

from licenses import __version__
from licenses.commands import COMMANDS


def usage(out):
    out.write("usage: licenses COMMAND [ARGS]\n\ncommands:\n")
    for name, summary in COMMANDS:
        out.write("  %-8s %s\n" % (name, summary))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help", "help"):
        usage(sys.stdout)
        return 0
    if argv[0] == "--version":
        print("licenses", __version__)
        return 0
    if argv[0] not in dict(COMMANDS):
        sys.stderr.write("licenses: unknown command %r\n" % argv[0])
        usage(sys.stderr)
        return 2
    command = importlib.import_module("licenses.commands." + argv[0])
    return command.main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
