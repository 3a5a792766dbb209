"""`python -m shared` runs the `silo` command (what the devserver uses for its children)."""

from shared.cli import main

main()
