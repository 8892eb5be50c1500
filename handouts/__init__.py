"""handouts: branded, printable PDF exercise handouts for physical-therapy clinics.

Stages: load (strict YAML -> model) -> compose -> render (reportlab) -> write atomically.
The public Python API (see handouts.api):

    from handouts import Clinic
    clinic = Clinic.open("~/my-clinic")
    pdf = clinic.routine(clinic.visit(program="core-activation", patient="Maria Gómez"))
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# Where each public name lives. They are imported on first use, so `handouts --help` (which imports
# this package) does not pay for the loader and the build stage.
_PUBLIC = {
    "Clinic": "handouts.api",
    "Visit": "handouts.model",
    "ProgramItem": "handouts.model",
    "Dosage": "handouts.model",
    "Problem": "handouts.errors",
    "HandoutsError": "handouts.errors",
    "ContentError": "handouts.errors",
    "InputMissing": "handouts.errors",
    "OutputError": "handouts.errors",
    "ConfigError": "handouts.errors",
}

__all__ = ["Clinic", "Visit", "ProgramItem", "Dosage", "Problem", "HandoutsError", "ContentError", "InputMissing",
           "OutputError", "ConfigError", "__version__"]

if TYPE_CHECKING:
    from handouts.api import Clinic  # noqa: F401
    from handouts.errors import (  # noqa: F401
        ConfigError, ContentError, HandoutsError, InputMissing, OutputError, Problem)
    from handouts.model import Dosage, ProgramItem, Visit  # noqa: F401


def __getattr__(name: str):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'handouts' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_PUBLIC))
