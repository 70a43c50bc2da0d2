"""Debian's nginx running this repository's ``deploy/nginx.conf`` on loopback, in front of replicas on free ports.

Shared by the browser tests that go through the deploy recipe (``test_e2e_scale_out.py``,
``test_e2e_deploy_headers.py``) and by ``bench/bench_lighthouse.py``: no Playwright, and pytest only in :func:`require_nginx`.

The recipe is run as written, with three changes only: its listen address (127.0.0.1:8080) becomes a free port, its
upstream ``server`` lines (127.0.0.1:8501 and 127.0.0.1:8502) become one line per replica given (the 8501 line's
parameters kept), and pid, logs and temp files go under a temporary prefix (the recipe already names them relative
to ``-p``). ``NGINX_CONF`` names another recipe file (e.g. ``git show <commit>:deploy/nginx.conf`` saved somewhere, to
see the tests fail on the old one); ``NGINX_PATH`` another nginx binary.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NGINX = Path(os.environ.get("NGINX_PATH", "/usr/sbin/nginx"))
RECIPE = Path(os.environ.get("NGINX_CONF", ROOT / "deploy" / "nginx.conf"))
LISTEN = "127.0.0.1:8080"
REPLICA_A, REPLICA_B = "127.0.0.1:8501", "127.0.0.1:8502"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (asked of the kernel)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_config(listen: int, replicas: list[int], text: str | None = None) -> str:
    """The recipe's text (``text``, or the file :data:`RECIPE`) listening on ``listen``, in front of ``replicas``."""
    text = RECIPE.read_text() if text is None else text
    for marker in (LISTEN, REPLICA_A, REPLICA_B):
        assert text.count(marker) == 1, f"the recipe should name {marker} exactly once"
    line_a = re.search(rf"^.*\bserver\s+{re.escape(REPLICA_A)}\b.*\n", text, re.M)
    line_b = re.search(rf"^.*\bserver\s+{re.escape(REPLICA_B)}\b.*\n", text, re.M)
    assert line_a and line_b, "the recipe's upstream should list its replicas as `server 127.0.0.1:850x ...;` lines"
    servers = "".join(line_a.group(0).replace(REPLICA_A, f"127.0.0.1:{port}") for port in replicas)
    text = text.replace(line_b.group(0), "").replace(line_a.group(0), servers)
    return text.replace(LISTEN, f"127.0.0.1:{listen}")


class Proxy:
    """nginx with the recipe under a temporary ``prefix``, in front of the replicas on ``replicas`` (ports).

    ``conf_text``: the recipe's text, when not the file :data:`RECIPE`. Started on construction (nginx daemonises;
    its pid file under the prefix); :meth:`stop` stops it."""

    def __init__(self, prefix: Path, replicas: list[int], conf_text: str | None = None) -> None:
        self.prefix, self.port = prefix, free_port()
        for d in ("logs", "temp"):
            (prefix / d).mkdir(parents=True)
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_config(self.port, replicas, conf_text))
        self.cmd = [str(NGINX), "-p", str(prefix), "-c", str(conf)]
        check = subprocess.run([*self.cmd, "-t"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx rejects the recipe: {check.stderr}")
        subprocess.run(self.cmd, check=True, capture_output=True)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while not (prefix / "nginx.pid").exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start; see {prefix / 'logs' / 'error.log'}")
            time.sleep(0.05)

    def routes(self) -> dict[str, set[int]]:
        """route cookie -> the replica ports nginx sent its requests to (from the access log)."""
        out: dict[str, set[int]] = {}
        for line in (self.prefix / "logs" / "access.log").read_text().splitlines():
            m = re.search(r"route=(\S+) upstream=(.+)$", line)  # "A, B" when nginx tried A, then B
            if m:
                ports = {int(p) for p in re.findall(r":(\d+)", m.group(2))}
                out.setdefault(m.group(1), set()).update(ports)
        return out

    def stop(self, logs_to: Path | None = None, tag: str = "nginx") -> None:
        """Stop nginx; with ``logs_to``, copy its access and error logs there (``{tag}-access.log``, ...)."""
        subprocess.run([*self.cmd, "-s", "stop"], capture_output=True)
        if logs_to is not None:
            logs_to.mkdir(exist_ok=True)
            for name in ("access", "error"):
                shutil.copy(self.prefix / "logs" / f"{name}.log", logs_to / f"{tag}-{name}.log")


def require_nginx(what: str) -> Path:
    """The nginx binary; without one, skip the calling test with the reason (fail it when ``CI`` is set)."""
    if not NGINX.exists():
        import pytest

        if os.environ.get("CI"):
            pytest.fail(f"{what} must run in CI: no nginx at {NGINX} (apt-get install nginx)")
        pytest.skip(f"no nginx at {NGINX} (apt-get install nginx)")
    return NGINX
