"""One day-direction as an OR-Tools routing model, searched, repaired and read back.

- :mod:`solver.routing.model`: the model, one ``add_<rule>`` per rule.
- :mod:`solver.routing.search`: search parameters and ``solve_day`` (racing, fallbacks).
- :mod:`solver.routing.parts`: a day's routes improved a few neighbouring routes at a time.
- :mod:`solver.routing.reasons`: why a passenger the search did not place is left out.
- :mod:`solver.routing.repair`: warm starts, and inserting passengers the search left out.
- :mod:`solver.routing.read`: a solution back as timed domain routes and the day's figures.
- :mod:`solver.routing.schedule`: timing a fixed route (a small linear programme).
- :mod:`solver.routing.screen`: passengers no vehicle can serve, with their reason.
- :mod:`solver.routing.bounds`: lower bounds on the vehicles a day needs.
"""

from solver.routing.search import SearchParams, solve_day, solve_day_racing

__all__ = ["SearchParams", "solve_day", "solve_day_racing"]
