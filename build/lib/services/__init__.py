"""Application services: load a market and a belief from files, score them, and the command line
`python -m analytics` (docs/formats.md) that composes them with the reports."""
