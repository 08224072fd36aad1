#!/usr/bin/env python3
"""Where a running process's resident memory is: `scripts/memory-split.py PID`.

Splits /proc/PID/smaps into its own binary, shared libraries, the heap, the graphics driver's
device-memory blocks and other anonymous memory. With software rendering (Mesa lavapipe) the
GPU's memory lives in the process: gpu-allocator takes it in blocks of 64 or 128 MiB (adjacent
blocks can show as one mapping), each block mapped with 8 KB more, so anonymous mappings of a
multiple of 64 MiB (and a few KB) are counted as device memory, which on a real GPU would be the GPU's own.
"""
import sys


def mappings(pid):
    rows, cur = [], None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            p = line.split()
            if "-" in p[0] and not p[0].endswith(":") and len(p) >= 5:
                lo, hi = p[0].split("-")
                cur = {"size": (int(hi, 16) - int(lo, 16)) // 1024,
                       "name": p[5] if len(p) > 5 else "[anon]", "rss": 0}
                rows.append(cur)
            elif p[0] == "Rss:" and cur is not None:
                cur["rss"] = int(p[1])
    return rows


def main():
    pid = sys.argv[1]
    exe = __import__("os").readlink(f"/proc/{pid}/exe")
    parts = {"binary": 0, "libraries": 0, "heap": 0, "device memory": 0, "other anonymous": 0}
    for m in mappings(pid):
        if m["name"] == exe:
            parts["binary"] += m["rss"]
        elif m["name"].startswith("/"):
            parts["libraries"] += m["rss"]
        elif m["name"] == "[heap]":
            parts["heap"] += m["rss"]
        elif m["name"] == "[anon]" and m["size"] >= 65536 and m["size"] % 65536 <= 64:
            parts["device memory"] += m["rss"]
        else:
            parts["other anonymous"] += m["rss"]
    total = sum(parts.values())
    print(f"resident {total / 1024:.0f} MB: " + ", ".join(f"{k} {v / 1024:.1f}" for k, v in parts.items()))


if __name__ == "__main__":
    main()
