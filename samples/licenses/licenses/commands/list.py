import sys

import licenses


def main(args):
    for name in licenses.names():
        first = licenses.text(name)[1].splitlines()[0]
        print("%-14s %s" % (name, first))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
