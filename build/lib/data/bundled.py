"""The bundled snapshots the dashboard opens on, with their provenance."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


@dataclass(frozen=True)
class BundledFile:
    label: str
    path: Path
    odds_format: str
    default_method: str
    credit: str


ODDS_FILES = (
    BundledFile("Premier League 2023/24 (football-data.co.uk)",
                SNAPSHOTS / "odds/football-data_E0_2324.csv",
                "decimal", "shin", "football-data.co.uk"),
    BundledFile("La Liga 2023/24 (football-data.co.uk)",
                SNAPSHOTS / "odds/football-data_SP1_2324.csv",
                "decimal", "shin", "football-data.co.uk"),
    BundledFile("A-League 2023/24, Betfair Exchange match odds",
                SNAPSHOTS / "odds/betfair_A-League_2023-2024_Match_Odds.csv",
                "decimal", "multiplicative", "Betfair Exchange via the Betfair Data Scientists hub"),
    BundledFile("ANZ thoroughbreds 1-3 Jan 2024, Betfair Exchange",
                SNAPSHOTS / "odds/betfair_ANZ_Thoroughbreds_2024-01-01_to_03.csv",
                "decimal", "multiplicative", "Betfair Exchange via the Betfair Data Scientists hub"),
    BundledFile("PredictIt 2020 nomination markets",
                SNAPSHOTS / "predmarkets/predictit_2020_nomination_candidate_probabilities.csv",
                "probability", "multiplicative", "PredictIt (via dylanhmorris/predictit-tracking)"),
    BundledFile("Polymarket: next president of South Korea, 2025",
                SNAPSHOTS / "predmarkets/polymarket_south_korea_president_2025_daily.csv",
                "probability", "multiplicative", "Polymarket public API (via peiyiw7797/CMU_Polymarket_Research)"),
)


EXAMPLES = Path(__file__).resolve().parent / "examples"


def example_files() -> dict[str, Path]:
    """One example belief file of every form (data/examples/README.md says which is which), by file name."""
    return {p.name: p for p in sorted(EXAMPLES.iterdir()) if p.suffix in (".csv", ".json")}
