"""Run the command-line interface: ``python -m nlpguide``."""

from nlpguide.cli import main

raise SystemExit(main())
