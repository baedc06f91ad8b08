"""A football match as one table of scores: beliefs about the score, every market of the match read from it, and
the market's own score table (docs/methods.md, "The whole match")."""
