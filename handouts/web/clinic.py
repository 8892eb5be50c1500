"""Which Clinic the composer serves: handouts.api.Clinic once #12 has landed it, else the stand-in."""

from __future__ import annotations

from pathlib import Path


def open_clinic(root: Path):
    try:
        from handouts.api import Clinic
    except ImportError:  # until handouts.api lands (#12)
        from handouts.web.shim import Clinic
    return Clinic.open(root)
