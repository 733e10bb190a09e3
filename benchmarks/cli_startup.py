"""Wall-clock time of `cit-triage --help` and `--version` (target: under 0.3 s on the reference machine).

    python benchmarks/cli_startup.py [--runs 10]

Runs the installed console script in fresh processes and prints the median and the worst run.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    exe = shutil.which("cit-triage")
    if exe is None:
        raise SystemExit("cit-triage is not on PATH: activate the virtual environment first")
    for flag in ("--help", "--version"):
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            subprocess.run([exe, flag], check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - t0)
        print(f"cit-triage {flag:9s} median {statistics.median(times) * 1000:6.0f} ms   "
              f"worst {max(times) * 1000:6.0f} ms   ({args.runs} runs)")


if __name__ == "__main__":
    main()
