"""Plain-word explanations of every term and code the pages show: tooltips and the Learn page read them here."""

from __future__ import annotations

BOOKMAKERS = {
    "B365": "Bet365", "BW": "Bet&Win", "IW": "Interwetten", "PS": "Pinnacle (a low-margin 'sharp' bookmaker)",
    "WH": "William Hill", "VC": "VC Bet", "LB": "Ladbrokes", "BF": "Betfair", "BFE": "Betfair Exchange",
    "1XB": "1xBet", "CL": "Coral", "BV": "BetVictor",
    "Max": "the best odds across the bookmakers the file lists (a summary, not a bookmaker)",
    "Avg": "the average odds across the bookmakers the file lists (a summary, not a bookmaker)",
}


def bookmaker_name(code: str) -> str:
    """'PSC' -> 'PSC: Pinnacle (...), closing odds'; the football-data column prefixes in words."""
    closing = code.endswith("C") and code[:-1] in BOOKMAKERS
    base = code[:-1] if closing else code
    if base not in BOOKMAKERS:      # a live source's bookmaker (The Odds API's keys): its current odds
        return f"{code}: a bookmaker of this market"
    return f"{code}: {BOOKMAKERS[base]}" + (", closing odds (just before kick-off)" if closing else ", opening odds")


# one default for every page and the command line (its --kelly-fraction): full Kelly, the growth the headline KL is
KELLY_DEFAULT = 1.0

TERMS = {
    "bits": "The unit of information with base-2 logs. As growth: 1 bit per bet doubles wealth per bet; 0.1 bit "
            "per bet is about 7 % more wealth per bet. 1 nat = 1.4427 bits.",
    "KL": "Kullback-Leibler divergence KL(belief || market) = sum of p log(p/q): how much information your belief "
          "holds relative to the market's, and the expected log-growth per bet of a Kelly bettor who holds your "
          "belief and bets at fair prices, if you are right.",
    "reverse KL": "KL(market || belief): what that same bettor loses per bet if the market is right. Infinite when "
                  "you call impossible something the market thinks possible.",
    "Jensen-Shannon": "A symmetric, always finite gauge of how different two distributions are, between 0 and 1 bit. "
                      "It has no betting meaning; it is shown for comparison.",
    "overround": "How much the bookmaker's implied probabilities (1 / decimal odds) add up to beyond 100 %: the "
                 "margin it keeps. 104.8 % means an overround of 4.8 %.",
    "margin removal": "Turning a bookmaker's prices into fair probabilities that add up to 100 %. Methods differ in "
                      "where they take the margin from: Shin's assumes part of the money comes from insiders, which "
                      "takes more from long shots than from favourites.",
    "Shin": "Shin's (1993) model: the bookmaker sets prices knowing some bettors are insiders; the insiders' share z "
            "is solved so that the fair probabilities add up to 100 %.",
    "risk-neutral": "Option prices imply the probabilities that price the options, not the market's forecast: they "
                    "lean toward the outcomes investors fear (crashes), because insurance against them costs more. "
                    "Part of any disagreement with them is this price of risk.",
    "forward": "The price for delivery at expiry implied by the options themselves (put-call parity, C - P = "
               "D (F - K)); the risk-neutral distribution's mean.",
    "cumulative KL": "The KL gathered from the lowest price up to each price. It can dip below zero: where your "
                     "belief puts less probability than the market, that region's terms p log(p/q) are negative; the "
                     "total at the right end is the KL, never below zero.",
    "Kelly fraction": "The share of the full Kelly stakes you actually bet: 1 is full Kelly, 0.5 half Kelly (about "
                      "three quarters of the growth for half the swings). Every page and the command line start at "
                      "full Kelly, because the headline edge, KL(belief || market), is full Kelly's growth: the "
                      "growth of the fraction you choose is shown beside it.",
    "tradable": "At the odds you can actually take (the bookmaker's margin included), with cash kept where betting "
                "does not pay.",
    "Diebold-Mariano": "A test of whether one forecaster's scores beat another's by more than luck: the mean "
                       "difference of the log scores over matches, divided by its standard error. A p-value below "
                       "0.05 says the edge is unlikely to be chance.",
    "closing-line value": "How your belief compares with the closing odds (the last prices before the start, where "
                          "the most information is priced in): KL(close || market) - KL(close || belief). Beating the "
                          "closing line is the bettor's best early sign of a real edge.",
    "calibration": "Whether events you give 30 % happen about 30 % of the time: the forecasts are grouped by "
                   "probability and each group's forecast is set against how often its events happened.",
    "butterfly": "Three strikes of calls (buy one low, sell two middle, buy one high): a payoff shaped like a tent "
                 "that pays only if the price ends near the middle strike; a bet on a range of prices.",
    "RPS": "Ranked probability score: how far the forecast's cumulative probabilities over home win, draw, away win "
           "sit from what happened (0 is a certain, right forecast; lower is better). Unlike the log score it "
           "counts a draw as nearer a home win than an away win is.",
    "drawdown": "The chance that, over the season, your wealth falls to half of its highest point at some moment, "
                "if your beliefs are right: simulated 10,000 times at the chosen Kelly fraction. Full Kelly makes "
                "this likely; half Kelly much less so.",
    "whole match": "KL of your table of scores against the market's: the market's table is the one closest to "
                   "plain Poisson goals that meets every one of its prices (result, goal lines, handicap). It holds "
                   "all the markets' disagreements at once, so it is at least as large as any one market's.",
    "joint stakes": "Kelly across every market of the match at once (result, goal lines, handicap), each at its own "
                    "odds and settled as the bookmaker settles it (pushes, half-wins): the expected log-growth per "
                    "match if your score belief is right.",
    "look-ahead": "A belief built from information the market did not have yet (closing odds against opening odds) "
                  "looks more skilful than any bettor could be at the time the bets were placed.",
}


# metric tooltips: the headline scores
HELP = {
    "kl": TERMS["KL"] + " " + TERMS["bits"],
    "reverse": TERMS["reverse KL"],
    "js": TERMS["Jensen-Shannon"],
    "tradable": "Expected log-growth of the best Kelly portfolio (full Kelly) " + TERMS["tradable"] + " Usually "
                "below the fair-price edge.",
}

# tooltips of the options edge panel and its settings
HELP_EDGE = {
    "tradable": ("Expected log-growth over the option's life of the best position in listed options, bought at the "
                 "ask and sold at the bid, with the rest in the bond: what you can capture today if your belief is "
                 "right. Never below 0: holding cash is always allowed. The position is chosen with any option the "
                 "market density prices outside its bid and ask valued at the density's price (the worse of the "
                 "two), so none of it comes from the density's own fit error: a belief equal to the market trades "
                 "nothing. Costed at the quotes it trades at, it can sit a little above the figures priced by the "
                 "density, by what its legs cost less at the quotes."),
    "mid": ("The best payoff the listed strikes can build, priced by the market density itself (no spread): the "
            "edge left once only listed strikes are allowed. At most the KL."),
    "butterfly": ("A simple version: butterflies at every strike, each held in proportion to how much more likely "
                  "you think the price ends there than the market does."),
    "market right": ("The same position's expected log return if the market's density is the truth: what the "
                     "trade costs you if you are wrong."),
    "renyi": ("Your edge as a certainty-equivalent for a risk-averse investor (constant relative risk aversion "
              "gamma; gamma 1 is the Kelly investor and gives the KL)."),
    "real world": ("KL against the market's density after removing a typical risk premium (a power pricing kernel "
                   "with the market's risk aversion): your disagreement with what the market expects."),
    "price of risk": ("KL between the market's risk-adjusted and its risk-neutral density: the part of any edge "
                      "against option prices that is payment for bearing risk, not disagreement."),
}

# the Track record page's per-match table: column -> (short header, what it means)
PER_MATCH_COLUMNS: dict[str, tuple[str, str]] = {
    "kl_bits": ("KL (bits)", "KL(belief || market) for this match: the edge your belief expected, in bits"),
    "realised_fair_bits": ("won, fair (bits)", "log2(p/q) of the result that happened: what a full-Kelly bettor with "
                                               "your belief gained at fair (margin-free) prices"),
    "realised_tradable_bits": ("won at odds (bits)", "The log2 growth of the Kelly-with-cash stakes at the market's "
                                                     "odds (margin included), at the page's Kelly fraction"),
    "clv_bits": ("CLV (bits)", "Closing-line value: KL(close || market) - KL(close || belief), the edge with the "
                               "closing line taken as the truth"),
    "log_score_belief_bits": ("log score, belief", "log2 of the probability your belief gave the result (bits; 0 is "
                                                   "a sure call, higher is better)"),
    "log_score_market_bits": ("log score, market", "log2 of the probability the market gave the result (bits; higher "
                                                   "is better)"),
    "brier_belief": ("Brier, belief", "Squared error of your probabilities against the result, summed over the "
                                      "outcomes: 0 is perfect, 2 the worst"),
    "brier_market": ("Brier, market", "Squared error of the market's probabilities against the result: 0 is "
                                      "perfect, 2 the worst"),
}
