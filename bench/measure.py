"""bench/measure.py: run a command N times and print, as JSON, each run's wall time, CPU time and peak RSS,
read from the kernel's accounting of that child (wait4), with no shell and no rounding to 10 ms.
Usage: python3 measure.py N COMMAND [ARGS...]"""
import json
import os
import subprocess
import sys
import time

runs = []
n = int(sys.argv[1])
for _ in range(n):
    start = time.perf_counter()
    child = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    runs.append({"wallMs": wall * 1000, "cpuMs": (usage.ru_utime + usage.ru_stime) * 1000, "rssMb": usage.ru_maxrss / 1024, "status": os.waitstatus_to_exitcode(status)})
print(json.dumps(runs))
