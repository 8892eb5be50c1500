"""The import direction of DESIGN.md holds: model and errors stand alone; loading never pulls in reportlab or Pillow."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "handouts"
HEAVY = ("reportlab", "PIL", "fontpkg")


def imported_modules(path: Path) -> list[tuple[str, int]]:
    """Every module named in an import statement of `path` (at any depth, incl. inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: always inside the package
                out.append(("handouts." + (node.module or ""), node.lineno))
            else:
                out.append((node.module or "", node.lineno))
    return out


def loaded_after(code: str) -> dict:
    script = code + "\nimport sys, json\nprint(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in %r)))" % (HEAVY,)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=PACKAGE.parent)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_loading_modules_do_not_import_reportlab_or_pillow():
    heavy = loaded_after("import handouts.load.folder, handouts.load.schema, handouts.compose, handouts.model, handouts.cli, "
                         "handouts.wording, handouts.load.yamlfile, handouts.errors, handouts.files")
    assert heavy == []


def test_loading_a_library_does_not_import_reportlab_or_pillow(clinic):
    heavy = loaded_after(f"from pathlib import Path\nfrom handouts.load import folder\n"
                         f"folder.load_library(Path({str(clinic)!r}), check_images=True)")
    assert heavy == []


@pytest.mark.parametrize("argv", [["--help"], ["routine", "--help"], ["--version"], ["list", "--help"]])
def test_help_does_not_import_reportlab_or_pillow(argv):
    heavy = loaded_after(f"from handouts.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass")
    assert heavy == []


@pytest.mark.parametrize("module", ["model.py", "errors.py"])
def test_model_and_errors_import_nothing_from_the_package(module):
    bad = [(name, line) for name, line in imported_modules(PACKAGE / module)
           if name == "handouts" or name.startswith("handouts.")]
    assert bad == [], f"{module} imports {bad}"


@pytest.mark.parametrize("module", ["model.py", "errors.py", "wording.py", "compose.py", "load/schema.py", "load/folder.py",
                                    "load/yamlfile.py", "load/markdown.py", "load/recipients.py"])
def test_pure_modules_do_not_touch_render_libraries(module):
    path = PACKAGE / module
    if not path.exists():
        pytest.skip(f"{module} no longer exists")
    bad = [(name, line) for name, line in imported_modules(path)
           if name.split(".")[0] in ("reportlab", "PIL", "click") or name.startswith("handouts.render")
           or name in ("handouts.images", "handouts.cli") or name.startswith("handouts.cli.")]
    assert bad == [], f"{module} imports {bad}"


def test_only_render_uses_reportlab():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("render/"):
            continue
        offenders += [(rel, name, line) for name, line in imported_modules(path) if name.split(".")[0] == "reportlab"]
    assert offenders == []


def test_only_images_uses_pillow():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "images.py":
            continue
        offenders += [(rel, name, line) for name, line in imported_modules(path) if name.split(".")[0] == "PIL"]
    assert offenders == []


def test_only_cli_uses_click():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("cli/") or rel == "__main__.py":
            continue
        offenders += [(rel, name, line) for name, line in imported_modules(path) if name.split(".")[0] == "click"]
    assert offenders == []
