#!/usr/bin/env python3
"""Run commands N times each, taking turns; print 'median_seconds
peak_rss_kib' for each command, a line each, in the order given.

usage: measure.py N CMD [ARGS...] [--- CMD [ARGS...]]...
The commands take turns run by run, so that drift on a shared machine
(other jobs starting or ending) hits them alike rather than whichever ran
during it. Peak RSS is the largest max-RSS over a command's runs, as
wait4 reports it for that process and the children it waited for."""
import os
import statistics
import subprocess
import sys
import time


def run(cmd):
    """Wall seconds and max-RSS (KiB) of one run of cmd."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode:
        sys.exit("measure.py: %s exited with %d" % (cmd[0], p.returncode))
    return elapsed, usage.ru_maxrss


def main():
    n = int(sys.argv[1])
    cmds, cur = [], []
    for a in sys.argv[2:]:
        if a == "---":
            cmds.append(cur)
            cur = []
        else:
            cur.append(a)
    cmds.append(cur)
    times = [[] for _ in cmds]
    peaks = [0] * len(cmds)
    for _ in range(n):
        for i, cmd in enumerate(cmds):
            t, rss = run(cmd)
            times[i].append(t)
            peaks[i] = max(peaks[i], rss)
    for i in range(len(cmds)):
        print("%.4f %d" % (statistics.median(times[i]), peaks[i]))


if __name__ == "__main__":
    main()
