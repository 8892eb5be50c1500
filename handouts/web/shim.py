"""Temporary stand-in for handouts.api.Clinic (the contract in the coordination plan) until #12 lands
it. Delete when `handouts.api` exists: web/__init__.py imports the real one first."""

from __future__ import annotations

from pathlib import Path

from handouts import build
from handouts.load import folder


class Clinic:
    def __init__(self, root: Path):
        self.root = root
        self._stamp = None
        self.library = None
        self.problems = []
        self._load()

    @classmethod
    def open(cls, root=None) -> Clinic:
        return cls(folder.find_root(root))

    def _files(self):
        out = []
        for path in sorted((self.root / "content").rglob("*")):
            try:
                st = path.stat()
            except OSError:
                continue
            out.append((str(path), st.st_mtime_ns, st.st_size))
        return tuple(out)

    def _load(self) -> None:
        self._stamp = self._files()
        self.library, self.problems = folder.scan_library(self.root, guides=False)

    def refresh(self) -> bool:
        if self._files() == self._stamp:
            return False
        self._load()
        return True

    def check(self):
        return build.check(self.root)[1]

    def routine(self, visit) -> bytes:
        return build.render_routine_pdf(self.root, self.library, visit)[0]
