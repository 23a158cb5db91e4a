import argparse
import sys
import time

import licenses


def main(args):
    p = argparse.ArgumentParser(prog="licenses show")
    p.add_argument("name")
    p.add_argument("--year", default=time.strftime("%Y"))
    p.add_argument("--holder", default="<copyright holders>")
    opts = p.parse_args(args)
    try:
        _, body = licenses.text(opts.name)
    except KeyError:
        sys.stderr.write("licenses: no licence %r; try: %s\n"
                         % (opts.name, ", ".join(licenses.names())))
        return 2
    sys.stdout.write(body.replace("<year>", opts.year)
                     .replace("<copyright holders>", opts.holder))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
