"""A real platformd on the emulated machine for the tests: bin/platformd --socket S in a temp directory.

Started once per test module (it is a JVM: seconds), stopped with SIGTERM; its log stays in the temp
directory and is printed when it did not come up.
"""

import os
import signal
import subprocess
import sys
import tempfile
import threading

HOME = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(HOME, "client-python"))

START_TIMEOUT = float(os.environ.get("PLATFORMD_PYTHON_TEST_START_TIMEOUT", "600"))


class Daemon:
    def __init__(self, *args, policy_text=None):
        self.dir = tempfile.mkdtemp(prefix="platformd-python-test.")
        self.socket = os.path.join(self.dir, "platformd.sock")
        self.log_path = os.path.join(self.dir, "daemon.log")
        self.policy = None
        cmd = [os.path.join(HOME, "bin", "platformd"), "--socket", self.socket, *args]
        if policy_text is not None:
            self.policy = os.path.join(self.dir, "policy.xml")
            with open(self.policy, "w") as f:
                f.write(policy_text)
            cmd += ["--policy", self.policy]
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._log, text=True)
        ready = threading.Event()

        def read():
            for line in self.proc.stdout:
                if line.startswith("platformd listening on"):
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(START_TIMEOUT) or self.proc.poll() is not None:
            self.stop()
            with open(self.log_path) as f:
                tail = f.read()[-3000:]
            raise RuntimeError(f"platformd did not come up ({' '.join(cmd)}):\n{tail}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def log(self):
        with open(self.log_path) as f:
            return f.read()
