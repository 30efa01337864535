"""Execute one notebook headless with nbclient, the way scripts/run-notebooks.ts asks.

    python3 scripts/notebook-driver.py SOURCE.ipynb --output OUT.ipynb --result RESULT.json
        [--timeout 600] [--cluster] [--kernel tslab] [--failed-output FAILED.ipynb]

Why a driver rather than `jupyter nbconvert --execute`: it must skip `// @cluster` cells with a notice,
report the failing cell's number and error as data, and write the executed copy only on success
(to a temp file, then renamed), so a failed run never destroys an earlier good output.

The result file is JSON: {"status": "ok"|"error"|"no-kernel"|"timeout"|"dead-kernel", "cells": N,
"skipped": [{"cell": N, "id": ..., "firstLine": ...}], "failure": {"cell": N, "id", "ename", "evalue",
"traceback": [...]}, "seconds": S}. Cell numbers are 1-based, counting every cell (markdown too), as
JupyterLab shows them in the table of contents.

The kernel inherits this process's environment: CLINICAL_DISTILL_EXPERIMENT (set by run-notebooks.ts from
--experiment) is how every notebook learns which experiment to load.
"""

import argparse
import json
import os
import re
import sys
import time

import nbformat
from jupyter_client.kernelspec import NoSuchKernel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

CLUSTER_MARKER = "// @cluster"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def plain(text):
    return ANSI.sub("", text or "")


def is_cluster_cell(cell):
    if cell.cell_type != "code":
        return False
    first = cell.source.lstrip().split("\n", 1)[0].strip()
    return first.startswith(CLUSTER_MARKER)


def skip_notice(number, cell):
    first = cell.source.lstrip().split("\n", 1)[0].strip()
    text = f"[skipped: cell {number} is marked {first!r}; it needs a real cluster or GPU. Run with --cluster to execute it.]"
    return "console.log(" + json.dumps(text) + ");"


ERROR_LINE = re.compile(r"^([A-Za-z_$][\w$.]*(?:Error|Exception)|Error|\d+:\d+ - error TS\d+|error TS\d+):?\s*(.*)$")


def fill_from_stderr(failure, cell):
    """tslab reports a failing cell as ename "<Error>" with an empty evalue and writes the real error
    (a thrown exception's stack, or TypeScript's diagnostics) to stderr: recover ename/evalue from there."""
    lines = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            lines.extend(plain(output.get("text", "")).splitlines())
    if not lines:
        return
    generic = failure.get("ename") in (None, "", "<Error>") or not failure.get("evalue")
    if generic:
        for line in lines:
            match = ERROR_LINE.match(line.strip())
            if match:
                failure["ename"] = match.group(1)
                failure["evalue"] = match.group(2)
                break
        else:
            failure["evalue"] = next((line.strip() for line in lines if line.strip()), "")
        if failure.get("ename") in (None, "", "<Error>"):
            # tslab prints TypeScript diagnostics as "LINE:COL - message" and runs nothing of the cell.
            is_diagnostic = re.match(r"^\d+:\d+ - ", failure.get("evalue", ""))
            failure["ename"] = "TypeScript compile error" if is_diagnostic else "Error"
    # Keep the user's frames, not tslab's and node's internals.
    failure["traceback"] = [line for line in lines if "node_modules/tslab" not in line and "(node:" not in line][:20]


def write_json(path, value):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=2)
    os.replace(tmp, path)


def write_notebook_atomically(nb, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".partial"
    nbformat.write(nb, tmp)
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("--output", required=True)
    parser.add_argument("--result", required=True)
    parser.add_argument("--failed-output")
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument("--cluster", action="store_true")
    parser.add_argument("--kernel")
    args = parser.parse_args()

    started = time.time()
    try:
        nb = nbformat.read(args.source, as_version=4)
    except Exception as error:  # not JSON, not a notebook, an unsupported nbformat
        message = str(error).strip().splitlines()
        write_json(
            args.result,
            {
                "status": "error",
                "skipped": [],
                "failure": {
                    "ename": "NotebookReadError",
                    "evalue": f"not a readable notebook ({type(error).__name__}: {message[-1] if message else ''})",
                },
            },
        )
        return 1
    kernel = args.kernel or nb.metadata.get("kernelspec", {}).get("name") or "tslab"
    result = {"status": "ok", "cells": len(nb.cells), "skipped": [], "kernel": kernel}

    # Skipped cells run a printed notice instead; their original source goes back into the copy.
    originals = {}
    for index, cell in enumerate(nb.cells):
        if not args.cluster and is_cluster_cell(cell):
            originals[index] = cell.source
            result["skipped"].append(
                {"cell": index + 1, "id": cell.get("id"), "firstLine": cell.source.lstrip().split("\n", 1)[0]}
            )
            cell.source = skip_notice(index + 1, cell)

    client = NotebookClient(
        nb,
        timeout=args.timeout,
        # tslab's first start on a cold machine (loading TypeScript) can pass nbclient's 60 s default.
        startup_timeout=max(180, args.timeout),
        kernel_name=kernel,
        allow_errors=False,
        record_timing=True,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(args.source))}},
    )

    current = {"index": None}
    try:
        with client.setup_kernel():
            executed = 0
            for index, cell in enumerate(nb.cells):
                current["index"] = index
                if cell.cell_type == "code":
                    executed += 1
                client.execute_cell(cell, index)
                # tslab leaves execution_count empty; number the cells as a front end would.
                if cell.cell_type == "code" and cell.get("execution_count") is None:
                    cell.execution_count = executed
    except NoSuchKernel:
        result["status"] = "no-kernel"
        result["failure"] = {"ename": "NoSuchKernel", "evalue": f"no Jupyter kernel named {kernel!r}"}
    except CellTimeoutError as error:
        result["status"] = "timeout"
        result["failure"] = {
            "ename": "CellTimeoutError",
            "evalue": f"the cell did not finish within {args.timeout} s (change with --timeout SECONDS)",
        }
    except CellExecutionError as error:
        result["status"] = "error"
        result["failure"] = {
            "ename": plain(getattr(error, "ename", "Error")),
            "evalue": plain(getattr(error, "evalue", str(error))),
            "traceback": [plain(line) for line in (getattr(error, "traceback", "") or "").splitlines()][-20:],
        }
    except DeadKernelError as error:
        result["status"] = "dead-kernel"
        result["failure"] = {"ename": "DeadKernelError", "evalue": plain(str(error))}
    except Exception as error:  # a kernel that fails to start, a broken connection file, ...
        result["status"] = "error"
        result["failure"] = {"ename": type(error).__name__, "evalue": plain(str(error))}

    if "failure" in result and current["index"] is not None:
        index = current["index"]
        result["failure"]["cell"] = index + 1
        result["failure"]["id"] = nb.cells[index].get("id")

    if result["status"] == "error" and current["index"] is not None:
        fill_from_stderr(result["failure"], nb.cells[current["index"]])

    for index, source in originals.items():
        nb.cells[index].source = source
    result["seconds"] = round(time.time() - started, 2)

    if result["status"] == "ok":
        write_notebook_atomically(nb, args.output)
    elif args.failed_output and result["status"] != "no-kernel":
        write_notebook_atomically(nb, args.failed_output)
    write_json(args.result, result)
    return 0 if result["status"] == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
