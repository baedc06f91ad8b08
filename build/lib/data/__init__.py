"""Market-data sources: bundled snapshots, user files and live fetches, turned into analytics types."""
