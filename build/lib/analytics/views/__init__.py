"""Views: a few statements about a belief (an event's probability, a mean, a quantile) turned into the full belief
closest to the market, its I-projection (docs/methods.md, "Views")."""

from analytics.views.projection import ViewConstraints, ViewFit, discrete_constraints, grid_constraints, project
from analytics.views.spec import RELATIONS, Relation, View, ViewsBelief, view_from_cells, views_from_json

__all__ = ["RELATIONS", "Relation", "View", "ViewConstraints", "ViewFit", "ViewsBelief", "discrete_constraints",
           "grid_constraints", "project", "view_from_cells", "views_from_json"]
