import sys

import licenses


def main(args):
    if args and args[0] != "-":
        with open(args[0], encoding="utf-8", errors="replace") as f:
            given = licenses.words(f.read())
    else:
        given = licenses.words(sys.stdin.read())
    best, score = None, 0.0
    for name in licenses.names():
        known = licenses.words(licenses.text(name)[1])
        s = len(given & known) / float(len(given | known) or 1)
        if s > score:
            best, score = name, s
    if best is None or score < 0.8:
        print("unknown")
        return 1
    print("%s (%.0f%% of words in common)" % (best, 100 * score))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
