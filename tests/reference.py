"""Reference numbers the tests assert: the three-outcome cases and the normal-vs-normal table, each computed
independently (closed forms, checked by quadrature to 1e-15)."""

import math

import numpy as np

TOL = 1e-12

# (belief p, market q) of the three-outcome cases at fair odds
CASE_A = (np.array([0.5, 0.3, 0.2]), np.array([0.4, 0.4, 0.2]))
CASE_B = (np.array([0.7, 0.2, 0.1]), np.full(3, 1 / 3))
CASE_C = (np.array([0.2, 0.5, 0.3]), np.array([0.25, 0.25, 0.5]))

NORMAL_ROWS = [
    # m1, s1, m2, s2, KL, bits, D0.5, D2, H2
    (0, 1, 1, 1, 0.5, 0.721347520444482, 0.25, 1.0, 0.117503097415405),
    (0, 1, 0, 2, 0.318147180559945, 0.458989359666639, 0.223143551314210, 0.413339286592234, 0.105572809000084),
    (0, 2, 0, 1, 0.806852819440055, 1.164042561333445, 0.223143551314210, math.inf, 0.105572809000084),
    (0, 1, 0.5, 1.5, 0.183242885885942, 0.264363602745831, 0.118504246135075, 0.255977303397216, 0.057530879005778),
    (0.5, 1.5, 0, 1, 0.344534891891836, 0.497058779945566, 0.118504246135075, math.inf, 0.057530879005778),
]
