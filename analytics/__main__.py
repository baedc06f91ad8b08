"""`python -m analytics`: the command line (docs/formats.md). The commands compose files, scoring and
reports, which is the application's job, so they live in `services.cli`; this is only the entry."""

import sys

from services.cli import main

sys.exit(main())
