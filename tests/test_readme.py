"""The README says what the code is: its module map lists exactly the modules and packages of handouts/."""

from __future__ import annotations

import re

from conftest import REPO


def test_module_map_lists_every_module_and_package():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Module map", 1)[1].split("\n#", 1)[0]
    listed = re.findall(r"^\| `([a-z0-9_]+(?:\.py|/))` \|", section, re.M)
    package = REPO / "handouts"
    actual = {p.name for p in package.glob("*.py") if p.name not in ("__init__.py", "__main__.py")}
    actual |= {p.name + "/" for p in package.iterdir() if (p / "__init__.py").is_file()}
    assert len(listed) == len(set(listed)), "a module is listed twice"
    assert sorted(set(listed) - actual) == [], "listed in the README but not in handouts/"
    assert sorted(actual - set(listed)) == [], "in handouts/ but not in the README's module map"
