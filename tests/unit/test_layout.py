"""The package's layout keeps its promises: no Streamlit in the core, no import circles, imports flowing one way
between the rooms, and the light pages staying free of torch."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "diffusion_core"
# A room may import its own modules and those of lower rank, never higher: pages -> live -> judge, likelihood, toy2d
# -> model -> forward -> images, space -> access (plain data and words: the link mechanism, the palette, the site map,
# which every room may use). The command entries at the top of the package sit above every room, and so does a room's
# ``__main__`` (``python -m diffusion_core.likelihood``: a package's command entry).
RANK = {"access": -1, "space": 0, "images": 0, "forward": 1, "model": 2, "judge": 3, "likelihood": 3, "toy2d": 3,
        "live": 4}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports (at any depth of the file, lazily too), as absolute dotted names."""
    names = set()
    package = _module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else _module_name(path)
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)  # "from pkg import module"
    return names


CORE_FILES = sorted(CORE.rglob("*.py"))
CORE_MODULES = {_module_name(p) for p in CORE_FILES}


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): {m for m in _imports(p) if m in CORE_MODULES and m != _module_name(p)}
            for p in CORE_FILES}


def test_the_core_never_imports_streamlit():
    offenders = [str(p.relative_to(ROOT)) for p in CORE_FILES
                 if any(m == "streamlit" or m.startswith("streamlit.") for m in _imports(p))]
    assert offenders == []


def test_no_import_circles():
    graph, state, cycles = _graph(), {}, []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_imports_flow_one_way_between_rooms():
    def room(module: str) -> str | None:
        parts = module.split(".")
        return parts[1] if len(parts) > 2 and parts[1] in RANK and parts[-1] != "__main__" else None

    wrong = [(a, b) for a, targets in _graph().items() for b in targets
             if room(a) and room(b) and room(a) != room(b) and RANK[room(b)] >= RANK[room(a)]]
    assert wrong == []
    assert set(RANK) == {p.name for p in CORE.iterdir() if (p / "__init__.py").exists()}  # every room is ranked


def test_every_room_says_what_it_holds():
    for init in CORE.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc and len(doc) > 200, f"{init.relative_to(ROOT)} needs its paragraph"
        for module in init.parent.glob("*.py"):
            if module.name not in ("__init__.py", "__main__.py"):
                assert f"``{module.stem}``" in doc, f"{init.relative_to(ROOT)} does not mention {module.stem}"


def test_the_server_package_needs_neither_streamlit_nor_the_core():
    """server/ tunes the process and keeps what sessions share: no Streamlit, no computation (pages/ and the core)."""
    offenders = [f"{p.name}: {m}" for p in (ROOT / "server").glob("*.py") for m in _imports(p)
                 if m.split(".")[0] in ("streamlit", "diffusion_core", "pages")]
    assert offenders == []


def test_pages_import_only_public_names():
    private = []
    for page in (ROOT / "pages").glob("*.py"):
        for node in ast.walk(ast.parse(page.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("diffusion_core"):
                private += [f"{page.name}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
    assert private == []


@pytest.mark.parametrize("page", ["image-space.py", "forward.py"])
def test_the_light_pages_never_import_torch(page):
    """Home, then the image-space or forward page, run without loading torch (a fresh process, through app.py)."""
    script = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({str(ROOT / "app.py")!r}, default_timeout=120).run()
at.switch_page("pages/{page}").run()
assert not at.exception, [e.value for e in at.exception]
assert at.title[0].value != "Image Space", "the page did not run"
print("torch" in sys.modules, "onnxruntime" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2:] == ["False", "False"]
