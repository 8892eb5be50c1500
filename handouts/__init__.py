"""handouts: branded, printable PDF exercise handouts for physical-therapy clinics.

Stages: load (strict YAML -> model) -> compose -> render (reportlab) -> write atomically.
"""

__version__ = "0.1.0"
