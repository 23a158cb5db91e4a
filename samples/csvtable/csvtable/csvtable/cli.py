import argparse
import csv
import sys

import tabulite

from csvtable import __version__


def main(argv=None):
    p = argparse.ArgumentParser(prog="csvtable",
                                description="Show a CSV file as a table.")
    p.add_argument("file", nargs="?", default="-",
                   help="CSV file (default: standard input)")
    p.add_argument("-d", "--delimiter", default=",")
    p.add_argument("-m", "--markdown", action="store_true",
                   help="print a Markdown table")
    p.add_argument("--version", action="store_true",
                   help="show the version and where tabulite comes from")
    opts = p.parse_args(argv)
    if opts.version:
        print("csvtable %s (tabulite from %s)" % (__version__, tabulite.__file__))
        return 0
    if opts.file == "-":
        rows = list(csv.reader(sys.stdin, delimiter=opts.delimiter))
    else:
        try:
            with open(opts.file, newline="", encoding="utf-8") as f:
                rows = list(csv.reader(f, delimiter=opts.delimiter))
        except OSError as e:
            sys.stderr.write("csvtable: %s: %s\n" % (opts.file, e.strerror))
            return 1
    sys.stdout.write(tabulite.table(rows, markdown=opts.markdown))
    return 0
