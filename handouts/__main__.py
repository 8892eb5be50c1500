"""`python -m handouts` runs the command-line tool."""

from handouts.cli import main

main()
