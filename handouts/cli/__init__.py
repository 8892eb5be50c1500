"""Command line: parse options, call one function of the package, print a summary. The only place
where errors become messages and exit codes. Heavy imports happen inside commands so --help is instant.

    app.py      the `handouts` group, --root, and turning HandoutsError into messages and exit codes
    routine.py  handouts routine        guide.py    handouts guide
    batch.py    handouts batch ...      mail.py     handouts email
    check.py    handouts check          listing.py  handouts list
    init.py     handouts init       serve.py    handouts serve (the composer)
    importer.py handouts import ...     show.py     handouts show
    complete.py shell completion of ids

Exit codes: errors.EXIT_CODES (printed by `handouts --help`).
"""

from handouts.cli import batch, check, guide, importer, init, listing, mail, routine, serve, show  # noqa: F401  (registers the commands)
from handouts.cli.app import main

__all__ = ["main"]
