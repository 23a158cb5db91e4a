#!/usr/bin/env python3
"""Run a command N times; print 'median_seconds peak_rss_kib' of the runs.

usage: measure.py N CMD [ARGS...]
Peak RSS is the largest max-RSS of the command's process tree over the
runs (getrusage of waited-for children)."""
import resource
import statistics
import subprocess
import sys
import time


def main():
    n = int(sys.argv[1])
    cmd = sys.argv[2:]
    times, peak = [], 0
    for _ in range(n):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)
    print("%.4f %d" % (statistics.median(times), peak))


if __name__ == "__main__":
    main()
