"""Drive a real tslab kernel for tests/notebooks/interrupt.test.ts, the way a notebook UI does.

    python3 kernel_interrupt.py CELLS.json

CELLS.json: {"setup": CODE, "run": CODE}. Protocol on stdio (one JSON object per line out):
  -> {"phase": "started"}             once the setup cell ran and the run cell was sent
  <- "interrupt"                      the test saw enough requests: send the interrupt (SIGINT, as Jupyter does)
  -> {"phase": "interrupted", ...}    the run cell's reply and iopub messages
  <- "rerun"                          execute the run cell again
  -> {"phase": "rerun", ...}
"""

import json
import sys

from jupyter_client.manager import KernelManager


def emit(value):
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


def execute(kc, code, before_reply=None, timeout=120):
    """Run one cell; collect its iopub messages until the kernel is idle for it."""
    msg_id = kc.execute(code)
    if before_reply:
        before_reply()
    reply = kc.get_shell_msg(timeout=timeout)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=timeout)
    messages = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["header"]["msg_type"]
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            break
        if kind in ("stream", "display_data", "update_display_data", "error", "execute_result"):
            messages.append({"type": kind, "content": msg["content"]})
    return {"status": reply["content"]["status"], "messages": messages}


def main():
    cells = json.load(open(sys.argv[1], encoding="utf-8"))
    km = KernelManager(kernel_name="tslab")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        setup = execute(kc, cells["setup"])
        if setup["status"] != "ok":
            emit({"phase": "setup-failed", **setup})
            return 1

        def wait_then_interrupt():
            emit({"phase": "started"})
            if sys.stdin.readline().strip() == "interrupt":
                km.interrupt_kernel()

        emit({"phase": "interrupted", **execute(kc, cells["run"], wait_then_interrupt)})
        if sys.stdin.readline().strip() == "rerun":
            emit({"phase": "rerun", **execute(kc, cells["run"])})
        return 0
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    sys.exit(main())
