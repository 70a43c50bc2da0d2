"""``streamlit run`` on a loopback port for the benchmarks: start it, wait until it answers, read its memory.

Every browser or protocol benchmark measures the app the way readers meet it, through a real server; this is the
one place that starts one (headless, bound to 127.0.0.1, on a free port unless told).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (asked of the kernel)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(port: int | None = None, script: str = "app.py", cwd: Path = ROOT, log=subprocess.DEVNULL,
              timeout_s: float = 60.0, poll_s: float = 0.1) -> tuple[subprocess.Popen, int]:
    """(the server process, its port) once ``/_stcore/health`` answers; exits the benchmark if it never does.

    ``log``: where the server's output goes (a file object, or DEVNULL); ``poll_s``: how often health is asked
    (the cold-start benchmark polls finely, since the wait is what it measures)."""
    port = port or free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
            return proc, port
        except OSError:
            time.sleep(poll_s)
    proc.kill()
    raise SystemExit(f"streamlit did not start on port {port} within {timeout_s:.0f} s")


def stop_app(proc: subprocess.Popen, timeout_s: float = 15.0) -> None:
    """Terminate the server, and kill it if it has not gone after ``timeout_s``."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()


def rss_mb(pid: int) -> float:
    """The resident memory of process ``pid`` in MB (VmRSS), NaN when it has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")
