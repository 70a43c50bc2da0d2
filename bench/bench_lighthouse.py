"""Page weight, first paint and Lighthouse scores of every page through deploy/nginx.conf, beside a three-line app.

    npm install --prefix /tmp/lh lighthouse@12.2.3     # once: 12.2.3 is the last Lighthouse that runs on Node 20
    python bench/bench_lighthouse.py [--pages ,image-space] [--runs 1] [--nginx-conf FILE] [--lighthouse PATH]

Bars (issue 30, DESIGN.md), Lighthouse's mobile preset (its default form factor: a Moto G Power screen, slow 4G and
a 4x slower CPU, simulated), through the deploy recipe with one replica: transfer home <= 1,400 KiB and every other
page <= 2,000 KiB; first contentful paint <= 1.25 x the three-line app's in the same run; accessibility >= 95 and
best practices >= 95.

One run: ``streamlit run app.py`` on a loopback port (``bench/app_server.py``) and, from a temporary folder with a
copy of this project's ``.streamlit/config.toml`` (so the server settings are the same), a three-line app: a title
and a link. Each sits behind its own nginx running the recipe (``tests/e2e/nginx_proxy.py``: the recipe as written,
its ports replaced; ``--nginx-conf`` runs another file, e.g. ``git show <commit>:deploy/nginx.conf`` saved, to
measure before a change). Every page is opened once by a protocol reader first (the server's imports and caches
warm: Lighthouse measures the browser's side), then Lighthouse (``CHROME_PATH``, default /usr/bin/chromium,
``--headless=new --no-sandbox``) loads each page ``--runs`` times with an empty browser cache; the median of each
figure is printed. Transfer is Lighthouse's total byte weight (bytes on the wire, headers included, after
compression); first contentful paint is its simulated one. Under each page, the files that weigh most on the wire.
Ends with one line of JSON holding every figure; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from app_server import start_app, stop_app  # noqa: E402
from nginx_proxy import RECIPE, Proxy  # noqa: E402
from streamlit_reader import Reader  # noqa: E402

from diffusion_core.access.site_map import PAGES as SITE_MAP  # noqa: E402

PAGES = [entry.path for entry in SITE_MAP]  # every page's URL path, in the story's order ("" is home)
THREE_LINES = 'import streamlit as st\nst.title("A three-line app")\nst.markdown("[Streamlit](https://streamlit.io)")\n'
BAR_KIB = {"home": 1400, "other": 2000}
BAR_FCP_RATIO, BAR_SCORE = 1.25, 95
CATEGORIES = ("performance", "accessibility", "best-practices")
TOP_FILES = 6


def lighthouse_version(lighthouse: str) -> str:
    return subprocess.run([lighthouse, "--version"], capture_output=True, text=True, check=True).stdout.strip()


def run_lighthouse(lighthouse: str, chrome: str, url: str, out: Path) -> dict:
    """One Lighthouse run of ``url`` (mobile preset), its JSON report parsed."""
    env = dict(os.environ, CHROME_PATH=chrome)
    cmd = [lighthouse, url, "--output=json", f"--output-path={out}", "--quiet",
           "--chrome-flags=--headless=new --no-sandbox", f"--only-categories={','.join(CATEGORIES)}"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0 or not out.exists():
        raise SystemExit(f"lighthouse failed on {url}:\n{done.stderr[-3000:]}")
    report = json.loads(out.read_text())
    if report.get("runtimeError"):
        raise SystemExit(f"lighthouse could not load {url}: {report['runtimeError']}")
    return report


def _short(url: str) -> str:
    """A request's path without the proxy's address, its content hash and query."""
    path = re.sub(r"^https?://[^/]+", "", url).split("?")[0]
    return re.sub(r"\.[A-Za-z0-9_-]{8}\.(js|css|woff2|png|svg|gif)$", r".\1", path)


def figures(report: dict) -> dict:
    """The figures the bars need, the heaviest files on the wire, and what failed in the scored categories."""
    audits = report["audits"]
    requests = audits["network-requests"]["details"]["items"]
    heaviest = sorted(requests, key=lambda r: -r.get("transferSize", 0))[:TOP_FILES]
    failed = sorted({ref["id"] for cat in ("accessibility", "best-practices")
                     for ref in report["categories"][cat]["auditRefs"]
                     if ref["weight"] > 0 and (audits[ref["id"]].get("score") is not None)
                     and audits[ref["id"]]["score"] < 1})
    return {
        "transfer_kib": audits["total-byte-weight"]["numericValue"] / 1024,
        "fcp_s": audits["first-contentful-paint"]["numericValue"] / 1000,
        "lcp_s": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "requests": len(requests),
        "uncompressed_text_kib": (audits["uses-text-compression"].get("details") or {}).get(
            "overallSavingsBytes", 0) / 1024,  # what compressing the rest would still save
        **{cat: round(100 * report["categories"][cat]["score"]) for cat in CATEGORIES},
        "heaviest": [(_short(r["url"]), round(r.get("transferSize", 0) / 1024, 1),
                      round(r.get("resourceSize", 0) / 1024, 1)) for r in heaviest],
        "failed_audits": failed,
    }


def median_figures(runs: list[dict]) -> dict:
    out = dict(runs[len(runs) // 2])  # heaviest files and failed audits of one run (the middle one)
    for key in ("transfer_kib", "fcp_s", "lcp_s", "requests", "uncompressed_text_kib", *CATEGORIES):
        out[key] = statistics.median(r[key] for r in runs)
    return out


async def warm(url: str, pages: list[str]) -> None:
    """Open every page once over Streamlit's protocol: the server's imports and caches are warm for Lighthouse."""
    reader = Reader(url, fetch_media=False)
    await reader.connect()
    for name in pages:
        await reader.open(name)
    await reader.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", default=",".join(PAGES), help='comma-separated URL paths; "" is the home page')
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page (medians are printed)")
    parser.add_argument("--nginx-conf", type=Path, default=RECIPE, help="the proxy recipe (default deploy/nginx.conf)")
    parser.add_argument("--lighthouse", default=os.environ.get("LIGHTHOUSE", "/tmp/lh/node_modules/.bin/lighthouse"),
                        help="Lighthouse's CLI (env LIGHTHOUSE; default from npm install --prefix /tmp/lh)")
    parser.add_argument("--chrome", default=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    args = parser.parse_args()
    if not Path(args.lighthouse).exists():
        raise SystemExit(f"no Lighthouse at {args.lighthouse}: npm install --prefix /tmp/lh lighthouse@12.2.3")
    pages = args.pages.split(",")
    conf_text = args.nginx_conf.read_text()
    version = lighthouse_version(args.lighthouse)

    work = Path(tempfile.mkdtemp(prefix="bench-lighthouse-"))
    minimal_dir = work / "three-line-app"
    (minimal_dir / ".streamlit").mkdir(parents=True)
    (minimal_dir / "app.py").write_text(THREE_LINES)
    shutil.copy(ROOT / ".streamlit" / "config.toml", minimal_dir / ".streamlit" / "config.toml")
    servers, proxies = [], []
    results: dict[str, dict] = {}
    try:
        app_proc, app_port = start_app()
        servers.append(app_proc)
        minimal_proc, minimal_port = start_app(cwd=minimal_dir)
        servers.append(minimal_proc)
        app_proxy = Proxy(work / "nginx-app", [app_port], conf_text)
        proxies.append(app_proxy)
        minimal_proxy = Proxy(work / "nginx-three-line", [minimal_port], conf_text)
        proxies.append(minimal_proxy)
        asyncio.run(warm(f"http://127.0.0.1:{app_port}", pages))
        targets = [(name or "home", f"{app_proxy.url}/{name}") for name in pages]
        targets.append(("three-line app", f"{minimal_proxy.url}/"))
        for label, url in targets:
            runs = []
            for i in range(args.runs):
                runs.append(figures(run_lighthouse(args.lighthouse, args.chrome, url, work / f"lh-{len(results)}-{i}.json")))
            results[label] = median_figures(runs)
            print(f"  measured {label}: {results[label]['transfer_kib']:,.0f} KiB, FCP {results[label]['fcp_s']:.2f} s",
                  file=sys.stderr, flush=True)
    finally:
        for proxy in proxies:
            proxy.stop()
        for proc in servers:
            stop_app(proc)
        shutil.rmtree(work, ignore_errors=True)

    base_fcp = results["three-line app"]["fcp_s"]
    for label, r in results.items():
        r["bar_kib"] = None if label == "three-line app" else BAR_KIB["home" if label == "home" else "other"]
        r["fcp_ratio"] = r["fcp_s"] / base_fcp
        r["meets"] = None if r["bar_kib"] is None else {
            "transfer": r["transfer_kib"] <= r["bar_kib"], "fcp": r["fcp_ratio"] <= BAR_FCP_RATIO,
            "accessibility": r["accessibility"] >= BAR_SCORE, "best_practices": r["best-practices"] >= BAR_SCORE}

    def mark(ok: bool | None) -> str:
        return "" if ok is None else (" ok" if ok else " NO")

    print(f"Lighthouse {version}, mobile preset (simulated slow 4G), through {args.nginx_conf.name} with one replica; "
          f"median of {args.runs} run(s) a page; load average {os.getloadavg()[0]:.2f}")
    print(f"{'page':16}{'transfer KiB (bar)':>24}{'FCP s (x 3-line, bar 1.25)':>32}{'perf':>6}{'a11y':>8}{'best pr.':>10}")
    for label, r in results.items():
        m = r["meets"] or {}
        bar = f" ({r['bar_kib']:,})" if r["bar_kib"] else ""
        print(f"{label:16}{r['transfer_kib']:>13,.0f}{bar:>8}{mark(m.get('transfer')):>3}"
              f"{r['fcp_s']:>15.2f} (x {r['fcp_ratio']:.2f}){mark(m.get('fcp')):>3}{r['performance']:>8.0f}"
              f"{r['accessibility']:>5.0f}{mark(m.get('accessibility')):>3}{r['best-practices']:>6.0f}"
              f"{mark(m.get('best_practices')):>3}")
        print("    heaviest on the wire (KiB sent / KiB unpacked): "
              + "; ".join(f"{name} {sent:,.0f}/{size:,.0f}" for name, sent, size in r["heaviest"]))
        extra = []
        if r["uncompressed_text_kib"] >= 1:
            extra.append(f"text sent uncompressed would shrink by {r['uncompressed_text_kib']:,.0f} KiB")
        if r["failed_audits"]:
            extra.append("failed audits: " + ", ".join(r["failed_audits"]))
        if extra:
            print("    " + "; ".join(extra))
    print(json.dumps({"lighthouse": version, "preset": "mobile", "recipe": str(args.nginx_conf), "runs": args.runs,
                      "load_average": round(os.getloadavg()[0], 2),
                      "bars": {"transfer_kib": BAR_KIB, "fcp_ratio": BAR_FCP_RATIO, "score": BAR_SCORE},
                      "pages": {label: {k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()}
                                for label, r in results.items()}}))


if __name__ == "__main__":
    main()
