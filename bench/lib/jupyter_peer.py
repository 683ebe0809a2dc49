"""The Jupyter peer of the bench, run with Debian's /usr/bin/python3 and jupyter_client.

  jupyter_peer.py startup N     N kernels, one after another: start_kernel() to wait_for_ready()
  jupyter_peer.py roundtrip N   one kernel: N `1+1` execute requests, each timed to status idle

Prints one JSON object on stdout with the samples in milliseconds.
"""

import json
import sys
import time

from jupyter_client.manager import KernelManager


def start():
    km = KernelManager(kernel_name="python3")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    return km, kc


def stop(km, kc):
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def startup(n):
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        km, kc = start()
        samples.append((time.perf_counter() - t0) * 1000)
        stop(km, kc)
    return {"startupMs": samples}


def execute(kc, code):
    """Sends an execute request and reads iopub until the kernel is idle for it; returns the result."""
    msg_id = kc.execute(code)
    result = None
    while True:
        msg = kc.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind == "execute_result":
            result = msg["content"]["data"].get("text/plain")
        elif kind == "status" and msg["content"]["execution_state"] == "idle":
            return result


def roundtrip(n):
    km, kc = start()
    try:
        for _ in range(20):
            execute(kc, "1+1")
        samples = []
        for _ in range(n):
            t0 = time.perf_counter()
            result = execute(kc, "1+1")
            samples.append((time.perf_counter() - t0) * 1000)
            if result != "2":
                raise SystemExit(f"1+1 answered {result!r}")
        return {"roundTripMs": samples}
    finally:
        stop(km, kc)


if __name__ == "__main__":
    mode, count = sys.argv[1], int(sys.argv[2])
    out = startup(count) if mode == "startup" else roundtrip(count)
    print(json.dumps(out))
