"""Where am I running from? Handy when packaging: a xar runs from its
mount (XAR_RUNTIME_FILES), started as XAR_INVOKED_NAME by XAR_PYTHON_COMMAND."""
import os
import subprocess
import sys

import licenses


def main(args):
    env = os.environ
    print("argv0:", sys.argv[0])
    print("module:", licenses.__file__)
    print("data:", licenses.data_dir())
    print("python:", sys.executable)
    for key in ("XAR_RUNTIME_FILES", "XAR_INVOKED_NAME", "XAR_PYTHON_COMMAND"):
        print("%s: %s" % (key, env.get(key, "")))
    if args[:1] == ["--rerun"] and not env.get("XAR_INVOKED_NAME"):
        print("rerun: not running from a xar")
    elif args[:1] == ["--rerun"]:
        # once through the xar itself, once with the bare interpreter, which
        # finds our modules because PYTHONPATH names the xar's tree
        again = [env["XAR_INVOKED_NAME"], "list"]
        a = subprocess.run(again, stdout=subprocess.PIPE, check=True).stdout
        b = subprocess.run([sys.executable, "-m", "licenses", "list"],
                           stdout=subprocess.PIPE, check=True).stdout
        print("rerun:", "same" if a == b and a else "DIFFERENT", len(a.splitlines()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
