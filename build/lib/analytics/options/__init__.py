"""Options: an option chain to the market's risk-neutral density of the price at expiry. chain (reading and
cleaning quotes) -> forward (put-call parity) -> black76 (implied vols) -> quadrature (exact payoff integrals)
-> logspline (the density's shape) -> fit (Gauss-Newton with a BIC-chosen penalty) -> density (the pipeline);
edge: what listed options capture of a belief's edge at the quotes, and the trades
(docs/methods.md, "Option density")."""

from analytics.options.black76 import black_undiscounted, implied_total_vol
from analytics.options.chain import ExpiryQuotes, clean_expiry, expiries, parse_chain, years_to_expiry
from analytics.options.density import ChainDensity, DensityDiagnostics, density_from_quotes
from analytics.options.edge import EdgeSettings, ListedQuotes, OptionsEdge, options_edge, tradable_position
from analytics.options.forward import ForwardFit, parity_forward

__all__ = ["ChainDensity", "DensityDiagnostics", "EdgeSettings", "ExpiryQuotes", "ForwardFit", "ListedQuotes",
           "OptionsEdge", "options_edge", "tradable_position", "black_undiscounted", "clean_expiry",
           "density_from_quotes", "expiries", "implied_total_vol", "parity_forward", "parse_chain",
           "years_to_expiry"]
