"""Which Clinic the composer serves: the Python API's (handouts.api.Clinic), opened once and kept warm."""

from __future__ import annotations

from pathlib import Path


def open_clinic(root: Path):
    from handouts.api import Clinic

    return Clinic.open(root)
