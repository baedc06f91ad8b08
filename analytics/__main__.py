"""`python -m analytics`: kept as an alias of the `market-disagreement` command (services.cli, the application's
entry); the numerics package itself imports nothing of the application."""

import sys

from services.cli import main

sys.exit(main())
