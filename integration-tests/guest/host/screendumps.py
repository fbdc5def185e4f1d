#!/usr/bin/env python3
"""screendumps.py QMP_SOCKET RESULTS: takes QEMU screendumps on the guest's request, while QEMU runs.

A check in the guest asks by writing RESULTS/screendump.request (RESULTS is the writable share, at the
same path in the guest): one line, the absolute path of a PPM file under RESULTS. This takes QMP's
`screendump` of the guest's display into PATH.tmp, renames it to PATH (so the guest never sees half a
file), and removes the request; on failure it writes PATH.error with QEMU's answer instead. Started by
bin/guest-test in the background before QEMU, ends when QEMU closes the monitor (or after the time
limit the caller's `timeout` gives it).
"""
import json
import os
import socket
import sys
import time


def connect(path, deadline):
    while time.time() < deadline:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except OSError:
            time.sleep(0.2)
    sys.exit(f"screendumps: no QMP socket at {path}")


class Qmp:
    def __init__(self, sock):
        self.sock = sock
        self.file = sock.makefile("rwb")
        self.read()  # the greeting
        self.execute("qmp_capabilities")

    def read(self):
        line = self.file.readline()
        if not line:
            raise EOFError("QEMU closed the monitor")
        return json.loads(line)

    def execute(self, command, **arguments):
        self.file.write(json.dumps({"execute": command, "arguments": arguments}).encode() + b"\n")
        self.file.flush()
        while True:  # events (RESET, RTC_CHANGE ...) may come before the answer
            answer = self.read()
            if "return" in answer or "error" in answer:
                return answer


def main():
    qmp_path, results = sys.argv[1], os.path.realpath(sys.argv[2])
    qmp = Qmp(connect(qmp_path, time.time() + 60))
    request = os.path.join(results, "screendump.request")
    qmp.sock.settimeout(None)
    while True:
        if os.path.exists(request):
            with open(request) as f:
                target = f.read().strip()
            os.remove(request)
            if os.path.dirname(os.path.realpath(target)).startswith(results):
                answer = qmp.execute("screendump", filename=target + ".tmp")
                if "return" in answer and os.path.exists(target + ".tmp"):
                    os.rename(target + ".tmp", target)
                else:
                    with open(target + ".error", "w") as f:
                        f.write(json.dumps(answer) + "\n")
        time.sleep(0.2)
        # QEMU gone: the monitor socket no longer answers
        try:
            qmp.execute("query-status")
        except (EOFError, OSError):
            return


if __name__ == "__main__":
    main()
