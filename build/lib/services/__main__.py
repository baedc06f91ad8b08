"""`python -m services`: the command line, as the installed `market-disagreement` command runs it."""

import sys

from services.cli import main

sys.exit(main())
