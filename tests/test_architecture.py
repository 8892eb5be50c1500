"""The import direction of DESIGN.md holds: a table of stages, each importing only stages below it; model and
errors stand alone; loading never pulls in reportlab or Pillow; portable by construction; small modules."""

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
    return imported_in(path.read_text(encoding="utf-8"), str(path))


def imported_in(source: str, filename: str = "<source>") -> list[tuple[str, int]]:
    """Every module named in an import of `source`: `import handouts.x`, `from handouts.x import y`,
    `from handouts import x` (each name that is a module of the package) and
    `importlib.import_module("handouts.x")`."""
    tree = ast.parse(source, filename=filename)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: always inside the package
                out.append(("handouts." + (node.module or ""), node.lineno))
            else:
                out.append((node.module or "", node.lineno))
                if node.module == "handouts":
                    out += [(f"handouts.{alias.name}", node.lineno) for alias in node.names
                            if (PACKAGE / alias.name).is_dir() or (PACKAGE / f"{alias.name}.py").is_file()]
        elif (isinstance(node, ast.Call) and ast.unparse(node.func).endswith("import_module") and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            out.append((node.args[0].value, node.lineno))
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
                                    "load/yamlfile.py", "load/markdown.py", "load/recipients.py", "load/fields.py",
                                    "load/visit.py", "manifest.py"])
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


# -- the import direction ---------------------------------------------------------------------------
# Stages from the top down. A module may import its own stage's package (its own rooms) and any stage
# below; never a stage above, and never a sibling in its own row (so mail and render, both in the
# same row, cannot import each other). Every module of handouts/ must be in the table.
STAGES = [
    ("cli",),  # the command line (`handouts serve` starts the composer)
    ("web",),  # the composer
    ("api",),  # the public Python API both front doors use
    ("batch", "shards"),  # plan, run, resume; shards of one batch on many machines, merged
    ("batch_kinds",),  # what differs between batch kinds
    ("build", "check"),  # one handout or guide to bytes; the check command
    ("glyphs", "invariants", "fit"),  # printed text vs the font; the layout-invariant checker; does a built
    # handout meet its layout's aims
    ("measure",),  # PDF facts (the page walk the checker shares)
    ("render", "mail", "preview"),  # reportlab; email delivery (never how PDFs are made); page images
    ("compose", "manifest", "readability", "leftovers"),  # library + visit -> document; the batch record batch
    # and mail read; reading level of patient text; the demo's leftovers in a clinic's own folder
    ("load",),  # YAML, visit files, recipient lists -> model
    ("images", "qr", "theme", "facts", "wording"),
    ("i18n",),  # label catalogues, languages, dates (wording uses it)
    ("palette",),  # contrast-safe colours (theme uses it)
    ("cache",),
    ("files",),
    ("translated",),  # content text written in more than one language
    ("model", "errors"),  # import nothing from the package
]


def stage_of(unit: str) -> int | None:
    return next((rank for rank, row in enumerate(STAGES) if unit in row), None)


def package_imports() -> dict[str, set[tuple[str, str, int]]]:
    """unit (top-level module or package of handouts/) -> {(imported unit, file, line)}."""
    graph: dict[str, set] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        unit = rel.with_suffix("").parts[0]
        if unit in ("__init__", "__main__"):
            continue
        graph.setdefault(unit, set())
        for name, line in imported_modules(path):
            parts = name.split(".")
            if parts[0] == "handouts" and len(parts) > 1 and parts[1] != unit:
                graph[unit].add((parts[1], rel.as_posix(), line))
    return graph


def direction_violations(graph: dict[str, set]) -> list[str]:
    out = []
    for unit, imports in sorted(graph.items()):
        rank = stage_of(unit)
        if rank is None:
            out.append(f"handouts/{unit} is in no stage of STAGES (tests/test_architecture.py): add it")
            continue
        for target, file, line in sorted(imports):
            other = stage_of(target)
            if other is None or other <= rank:  # above, a sibling, or unknown
                out.append(f"handouts/{file}:{line}: {unit} imports {target}, which is not below it")
    return out


def test_every_stage_imports_only_stages_below_it():
    assert direction_violations(package_imports()) == []


@pytest.mark.parametrize("target", ["batch", "build", "render", "batch_kinds"])
def test_direction_check_refuses_mail_importing_how_pdfs_are_made(target):
    graph = package_imports()
    graph["mail"] = graph["mail"] | {(target, "mail/outbox.py", 1)}
    assert direction_violations(graph) == [f"handouts/mail/outbox.py:1: mail imports {target}, which is not below it"]


@pytest.mark.parametrize("line", ["from handouts import batch", "from handouts import errors, batch",
                                  "import handouts.batch", "from handouts.batch import run",
                                  "importlib.import_module('handouts.batch')"])
def test_every_form_of_import_is_seen(line):
    """`from handouts import batch` (the package's most common form) used to slip past the direction check."""
    code = "import importlib\ndef later():\n    " + line + "\n"
    assert ("handouts.batch", 3) in imported_in(code)


def test_direction_check_refuses_an_unlisted_module():
    assert direction_violations({"newthing": set()}) == [
        "handouts/newthing is in no stage of STAGES (tests/test_architecture.py): add it"]


# -- portable by construction, small modules, one recipe ----------------------------------------------

def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), path.read_text(encoding="utf-8")


def test_no_posix_only_module_imports_and_no_process_probing():
    """Clinic desktops run Windows: no module-level fcntl/termios/pwd, no os.kill(pid, 0) (it terminates the
    process there), no /proc on any path."""
    offenders = []
    for rel, text in _sources():
        tree = ast.parse(text)
        for node in tree.body:  # module level only; a guarded import inside a function is fine
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [(rel, n) for n in names if n.split(".")[0] in ("fcntl", "termios", "pwd", "grp", "resource")]
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "os.kill":
                offenders.append((rel, "os.kill", node.lineno))
            # POSIX-only calls (no such function on Windows) only behind a hasattr() guard
            name = ast.unparse(node.func) if isinstance(node, ast.Call) else ""
            if name in ("os.getuid", "os.geteuid", "os.getgid", "os.fchown", "os.chown") and \
                    f'hasattr(os, "{name[3:]}")' not in text:
                offenders.append((rel, name, node.lineno))
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("/proc"):
                offenders.append((rel, "/proc", node.lineno))
    assert offenders == []


def test_no_module_over_400_lines():
    long = [(rel, n) for rel, text in _sources() if (n := len(text.splitlines())) > 400]
    assert long == []


def test_one_durable_write_recipe():
    """Temp file, fsync, rename: written once, in files.py (durable_temp), and used everywhere."""
    assert [rel for rel, text in _sources() if "mkstemp(" in text] == ["files.py"]


@pytest.mark.parametrize("package", ["load", "render", "mail", "i18n", "web", "cli"])
def test_each_stage_package_lists_every_module_it_holds(package):
    """A reader finds where a feature lives from the package listing alone (#12): each package's
    __init__ docstring names every module in it."""
    init = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text(encoding="utf-8"))) or ""
    modules = sorted(p.name for p in (PACKAGE / package).glob("*.py") if p.name != "__init__.py")
    assert [m for m in modules if m not in init] == []
