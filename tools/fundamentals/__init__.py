"""Company fundamentals as of an analysis date: fiscal calendars, statement availability (point in
time), and the facade methods behind ``get_financials``, ``get_valuation``'s computed multiples,
``get_analyst_targets`` and ``get_market_valuation``."""
