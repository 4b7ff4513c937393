"""Synthetic but realistic weeks of day-centre transport: samples, tests and benchmarks.

``generate_week(source, ...)`` builds a :class:`~solver.domain.WeekPlan` whose every address is
a road-graph node drawn from ``source`` (so it snaps). All randomness comes from one
``numpy.random.default_rng(seed)``: the same source, arguments and seed give an identical plan.

Choices (figures from Bergen's published 2025 review of its day centres):

Centres
    Spread out: farthest-point picks among the inner 70% of the candidate nodes (by distance
    from their centroid), so that no centre sits on the edge of the map. Open Monday to Friday.
    Arrival window 08:30-09:00 and departure window 15:00-15:30; about 40% of the centres are
    staggered 30 minutes earlier (08:00-08:30 / 14:30-15:00) so that a vehicle can serve two
    centres in a row, and about a third close 30 minutes earlier on Fridays.
Addresses
    About half of the passengers live in group homes (*bofellesskap*) of 3-8 day-centre users
    sharing one address; the others live at their own address (family or own flat). Every
    address is a distinct road node, so a shared home location means a group home. Residents
    of one group home usually attend the same centre; in about 10% of the homes one resident
    is swapped with a resident of another centre's home.
    Passengers mostly attend a centre near them: 75% the nearest centre, otherwise the second
    (20%) or third (5%) nearest.
Days and escorts
    Days per week follow Bergen's totals (1 day 7, 2 days 33, 3 days 45, 4 days 36, 5 days 184
    of 305 users) and escorts Bergen's shares (1 escort 43, 2 escorts 17, 3 escorts 2 of 305),
    apportioned exactly (largest remainder). Group-home residents mostly (85%) have 5 days.
    Weekday sets are plausible: two days are usually not adjacent (Mon+Wed, Tue+Thu), three
    days favour Mon/Wed/Fri and consecutive blocks, four days usually drop Friday.
Passengers
    20% travel in their wheelchair (any of them may also have escorts). About 10% may not be
    picked up earlier than 45 minutes before their centre's earliest arrival window (07:45,
    or 07:15 at a staggered centre). About 3% leave from another address on one of their
    weekdays (e.g. a parent's home, near their own). Birth years 1945-2005.
Fleet
    Sized from the busiest day: per centre and day, passengers plus escorts at 5.5 per vehicle
    trip (vehicles carry 4-7 people on routes of about 45 minutes) and wheelchair users at 2
    per vehicle trip, summed over centres, plus a 25% margin. Each centre owns a minibus
    (operator ``"own"``, parked at the centre, driven by centre staff; flip seats set to 4 seats
    + 2 wheelchair places if the centre has wheelchair users) and, with 30 or more passengers,
    also a car. The rest comes from the contractor, spread over 2-3 garages: wheelchair vans
    (3 seats + 2 wheelchair places) and minibuses set to 4 + 2 for the wheelchair share,
    then minibuses (8 seats, or 6 + 1 for some) and cars (4 seats). Minibuses record their
    flip-seat layouts (8+0, 6+1, 4+2). Finally vehicles are added until every weekday's total
    seats and wheelchair places cover that day's demand. Every vehicle works Monday to Friday,
    shift 06:30-17:30. Tariffs (NOK, Norway 2025): contractor minibus 650/h, 14/km,
    1 200/day; contractor wheelchair van 600/h, 12/km, 1 000/day; contractor car 520/h, 8/km,
    700/day; own minibus 420/h, 9/km, 350/day; own car 420/h, 5/km, 250/day.
Settings
    Domain defaults, ``time_limit_s`` 60 and ``seed`` the generator's seed.

``bergen=True`` reproduces Bergen's September 2025 table exactly (see
:data:`BERGEN_ASSUMPTIONS` for everything that had to be assumed). Ids are pseudonymous:
passengers ``P0001``, centres ``C01``, vehicles ``V001``.

One module on purpose (about 890 lines): one generator whose steps share one random
stream, with the published figures it draws on written beside each step.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Final, Protocol

import numpy as np
import numpy.typing as npt

from solver.domain import (
    DAYS,
    Centre,
    CentreHours,
    Day,
    LatLon,
    Mobility,
    Passenger,
    SeatingLayout,
    Settings,
    Tariff,
    TimeWindow,
    Vehicle,
    WeekPlan,
)


class LocationSource(Protocol):
    """Where addresses may lie: road-graph nodes, so that every generated location snaps."""

    def random_node_locations(self, n: int, rng: np.random.Generator) -> list[LatLon]:
        """``n`` node locations drawn with ``rng`` (duplicates are tolerated and dropped)."""
        ...


# --------------------------------------------------------------------------- Bergen figures


@dataclass(frozen=True, slots=True)
class BergenCentreFigures:
    """One row of Bergen's September 2025 table, plus the assumed wheelchair share.

    ``num_by_days[k - 1]``: users with k days a week. ``num_by_escorts[k - 1]``: users with k
    escorts. ``num_group_home_5_days``: users with 5 days who live in a group home.
    ``num_group_home_other``: group-home residents with fewer days (only published for the
    senior centre). ``wheelchair_share`` is an assumption (not published).
    ``is_citywide``: its users come from the whole city.
    """

    name: str
    num_by_days: tuple[int, int, int, int, int]
    num_group_home_5_days: int
    num_by_escorts: tuple[int, int, int]
    wheelchair_share: float
    num_group_home_other: int = 0
    is_citywide: bool = False

    @property
    def num_passengers(self) -> int:
        """Users with a place at the centre."""
        return sum(self.num_by_days)

    @property
    def num_wheelchair(self) -> int:
        """Assumed number of wheelchair users (share × users, rounded half up)."""
        return math.floor(self.wheelchair_share * self.num_passengers + 0.5)


WHEELCHAIR_SHARE_SPECIALISED: Final = 0.45
WHEELCHAIR_SHARE_PARTLY: Final = 0.30
WHEELCHAIR_SHARE_OTHER: Final = 0.05
SENIOR_CENTRE_NAME: Final = "Laxevaag senior"
SENIOR_CENTRE_NEIGHBOUR: Final = "Laxevaag"

BERGEN_2025: Final[tuple[BergenCentreFigures, ...]] = (
    BergenCentreFigures("Arna", (2, 2, 3, 4, 11), 5, (3, 1, 0), WHEELCHAIR_SHARE_OTHER),
    BergenCentreFigures("Eidsvåg", (0, 2, 4, 5, 33), 28, (3, 0, 0), WHEELCHAIR_SHARE_SPECIALISED),
    BergenCentreFigures("Fana", (2, 7, 3, 3, 19), 14, (8, 13, 1), WHEELCHAIR_SHARE_PARTLY),
    BergenCentreFigures("Laxevaag", (0, 3, 5, 9, 6), 6, (1, 0, 0), WHEELCHAIR_SHARE_OTHER),
    BergenCentreFigures(
        SENIOR_CENTRE_NAME,
        (2, 14, 19, 0, 0),
        0,
        (1, 0, 0),
        WHEELCHAIR_SHARE_OTHER,
        num_group_home_other=25,
        is_citywide=True,
    ),
    BergenCentreFigures("Nesttun", (0, 1, 1, 5, 21), 20, (6, 0, 0), WHEELCHAIR_SHARE_SPECIALISED),
    BergenCentreFigures("Kloppedalen", (0, 0, 0, 2, 9), 8, (4, 0, 0), WHEELCHAIR_SHARE_SPECIALISED),
    BergenCentreFigures("Sandviken", (0, 2, 0, 2, 21), 18, (0, 0, 0), WHEELCHAIR_SHARE_SPECIALISED),
    BergenCentreFigures("Solplassen", (0, 1, 1, 2, 34), 28, (6, 0, 0), WHEELCHAIR_SHARE_OTHER),
    BergenCentreFigures(
        "Spelhaugen", (0, 1, 2, 1, 24), 22, (3, 0, 0), WHEELCHAIR_SHARE_SPECIALISED
    ),
    BergenCentreFigures("Tjønnen", (1, 0, 7, 3, 6), 4, (8, 3, 1), WHEELCHAIR_SHARE_OTHER),
)
"""Bergen's day centres, September 2025, in the published order."""

# Bergen totals over all centres, used as the shares of the non-Bergen mode.
BERGEN_NUM_BY_DAYS: Final = (7, 33, 45, 36, 184)
BERGEN_NUM_BY_ESCORTS: Final = (243, 43, 17, 2)  # 0, 1, 2, 3 escorts
BERGEN_NUM_PASSENGERS: Final = 305

# Age limit 62: residents reaching 62 in 2025 (born 1963 or earlier), then per later year.
BERGEN_AGE_REFERENCE_YEAR: Final = 2025
BERGEN_NUM_AGED_62_PLUS: Final = 29
BERGEN_NUM_TURNING_62: Final[dict[int, int]] = {2026: 2, 2027: 6, 2028: 3, 2029: 9, 2030: 4}
BERGEN_SENIOR_GROUP_HOME_AGED_62_PLUS: Final = 20  # of the 29; the rest at ordinary centres

BERGEN_ASSUMPTIONS: Final[dict[str, str]] = {
    "road_graph": (
        "There is no Bergen road data in the project, so the Bergen week is laid on the bundled "
        "road graph (whatever map the generator is given, by default Oslo east): centres, homes "
        "and garages are road nodes of that map and travel times are that map's, not Bergen's."
    ),
    "table": (
        "Per centre, the numbers of users with 1, 2, 3, 4 and 5 days a week, of 5-day "
        "group-home residents and of users with 1, 2 and 3 escorts are exactly the published "
        "September 2025 figures (305 users in 11 centres)."
    ),
    "wheelchair_share": (
        "The share of wheelchair users is not published. Assumed: 45% at the centres "
        "specialised for wheelchair users and multiple disabilities (Eidsvåg, Nesttun, "
        "Kloppedalen, Sandviken, Spelhaugen), 30% at Fana (partly specialised) and 5% elsewhere, "
        "rounded per centre: 79 of 305 users (26%). Wheelchair users may also have escorts."
    ),
    "arna_days": (
        "Arna is said to give at most 4 days a week, yet its table shows 11 users with 5 days; "
        "the table is kept (perhaps places granted before the rule)."
    ),
    "senior_centre": (
        "Laxevaag senior lies next to Laxevaag day centre and serves the whole city: its users "
        "live anywhere on the map (long trips) and are 55-83 years old in 2025. 25 of its users "
        "live in group homes (the review says 25 of 34; the table has 35 users), sharing an "
        "address with residents who attend other centres."
    ),
    "group_homes": (
        "Only the published 5-day group-home residents (153) and the senior centre's 25 live in "
        "group homes; homes hold 3-8 day-centre users at one address and residents usually "
        "attend the same centre (about 10% of homes have one resident of another centre). "
        "Everyone else lives at an address of their own."
    ),
    "home_locations": (
        "Users of the other centres mostly live near their centre: 75% in the area nearer to "
        "it than to any other centre, 25% in a neighbouring area."
    ),
    "ages": (
        "Birth years reproduce the age-limit figures, read as counts of group-home residents "
        "and of all users alike: 29 users are 62 or older in 2025 (born 1945-1963, 20 of them "
        "at the senior centre), and 2, 6, 3, 9, 4 users turn 62 in 2026-2030 (born 1964-1968); "
        "all of these live in group homes. Everyone else was born 1969-2005."
    ),
    "days": (
        "Which weekdays a user attends is not published: two days are usually not adjacent, "
        "three days favour Mon/Wed/Fri, four days usually drop Friday."
    ),
    "hours": (
        "Opening hours are not published: arrival window 08:30-09:00 and departure window "
        "15:00-15:30, about 40% of centres staggered 30 minutes earlier, about a third closing "
        "30 minutes earlier on Friday; open Monday to Friday."
    ),
    "restrictions": (
        "About 10% of users may not be picked up before 45 minutes ahead of their centre's "
        "earliest arrival window; about 3% leave from another address (e.g. a parent's home) "
        "on one weekday."
    ),
    "fleet": (
        "The fleet is not published. Sized from the busiest day: passengers plus escorts at 5.5 "
        "per vehicle trip and wheelchair users at 2 per vehicle trip, per centre, plus 25%; each "
        "centre owns a minibus (and a car from 30 users), the rest is the contractor's "
        "wheelchair vans, minibuses with flip seats and cars, from 3 garages; all work Monday "
        "to Friday, 06:30-17:30."
    ),
    "tariffs": (
        "Tariffs (NOK, 2025) are estimates, not the contract's per-passenger-distance prices: "
        "contractor minibus 650/h + 14/km + 1 200/day, wheelchair van 600/h + 12/km + 1 000/day, "
        "car 520/h + 8/km + 700/day; centre-owned minibus 420/h + 9/km + 350/day and car "
        "420/h + 5/km + 250/day (driven by centre staff)."
    ),
}
"""Every assumption behind ``generate_week(bergen=True)``, in words (for README and CLI)."""

# ---------------------------------------------------------------------------- constants


def _hm(hours: int, minutes: int = 0) -> int:
    """Seconds after midnight of a time of day."""
    return hours * 3600 + minutes * 60


ARRIVAL_STANDARD: Final = TimeWindow(_hm(8, 30), _hm(9, 0))
DEPARTURE_STANDARD: Final = TimeWindow(_hm(15, 0), _hm(15, 30))
STAGGER_S: Final = 30 * 60
FRIDAY_EARLIER_S: Final = 30 * 60
SHARE_STAGGERED: Final = 0.4
SHARE_EARLY_FRIDAY: Final = 1 / 3

INNER_CANDIDATE_QUANTILE: Final = 0.7
SHARE_GROUP_HOME: Final = 0.5
SHARE_GROUP_HOME_5_DAYS: Final = 0.85
MIN_GROUP_HOME: Final = 3
MAX_GROUP_HOME: Final = 8
SHARE_HOMES_MIXED: Final = 0.1
NEAREST_CENTRE_WEIGHTS: Final = (0.75, 0.20, 0.05)
SHARE_WHEELCHAIR: Final = 0.2
SHARE_EARLIEST_PICKUP: Final = 0.1
EARLIEST_PICKUP_LEAD_S: Final = 45 * 60
SHARE_HOME_EXCEPTION: Final = 0.03
EXCEPTION_NEIGHBOURS: Final = 30
BIRTH_YEARS: Final = (1945, 2005)
SENIOR_AGE_RANGE: Final = (55, 83)

PEOPLE_PER_VEHICLE_TRIP: Final = 5.5
WHEELCHAIRS_PER_VEHICLE_TRIP: Final = 2
FLEET_MARGIN: Final = 1.25
OWN_CAR_MIN_PASSENGERS: Final = 30
SHARE_VANS_AMONG_WHEELCHAIR: Final = 0.5
SHARE_MINIBUSES_AMONG_OTHERS: Final = 0.6
SHARE_MINIBUS_6_1: Final = 0.3
SHIFT: Final = TimeWindow(_hm(6, 30), _hm(17, 30))
OWN: Final = "own"
CONTRACTOR: Final = "contractor"

MINIBUS_LAYOUTS: Final = (SeatingLayout(8, 0), SeatingLayout(6, 1), SeatingLayout(4, 2))
VAN_LAYOUTS: Final = (SeatingLayout(3, 2),)
CAR_LAYOUTS: Final = (SeatingLayout(4, 0),)
TARIFF_CONTRACTOR_MINIBUS: Final = Tariff(per_km=14.0, per_hour=650.0, per_vehicle_day=1200.0)
TARIFF_CONTRACTOR_VAN: Final = Tariff(per_km=12.0, per_hour=600.0, per_vehicle_day=1000.0)
TARIFF_CONTRACTOR_CAR: Final = Tariff(per_km=8.0, per_hour=520.0, per_vehicle_day=700.0)
TARIFF_OWN_MINIBUS: Final = Tariff(per_km=9.0, per_hour=420.0, per_vehicle_day=350.0)
TARIFF_OWN_CAR: Final = Tariff(per_km=5.0, per_hour=420.0, per_vehicle_day=250.0)

TIME_LIMIT_S: Final = 60.0
ALL_DAYS: Final = frozenset(DAYS)


# ------------------------------------------------------------------------------ helpers


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder)."""
    weight_sum = float(sum(weights))
    quotas = [total * w / weight_sum for w in weights]
    parts = [math.floor(q) for q in quotas]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - quotas[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _pick(rng: np.random.Generator, weights: Sequence[float]) -> int:
    """Draw an index with probability proportional to ``weights``."""
    p = np.asarray(weights, dtype=np.float64)
    return int(rng.choice(len(weights), p=p / p.sum()))


def _partition_home_sizes(total: int, rng: np.random.Generator) -> list[int]:
    """Split ``total`` group-home residents (at least 3) into homes of 3-8."""
    sizes: list[int] = []
    remaining = total
    while remaining > 0:
        fits_one_home = MIN_GROUP_HOME <= remaining <= MAX_GROUP_HOME
        if fits_one_home and (remaining < 2 * MIN_GROUP_HOME or rng.random() < 0.35):
            sizes.append(remaining)
            break
        # Leave at least one full home's minimum behind, so no home ends up too small.
        high = min(MAX_GROUP_HOME, remaining - MIN_GROUP_HOME)
        size = int(rng.integers(MIN_GROUP_HOME, high + 1))
        sizes.append(size)
        remaining -= size
    return sizes


def _weekday_weight(days: tuple[Day, ...]) -> float:
    """How plausible a set of weekdays is for a passenger attending ``len(days)`` days."""
    positions = [DAYS.index(d) for d in days]
    if len(days) == 2:
        return 2.0 if positions[1] - positions[0] > 1 else 1.0
    if len(days) == 3:
        if positions == [0, 2, 4]:
            return 4.0
        return 2.0 if positions[2] - positions[0] == 2 else 1.0
    if len(days) == 4:
        dropped = next(d for d in DAYS if d not in days)
        return {"fri": 3.0, "mon": 2.0, "wed": 2.0}.get(dropped, 1.0)
    return 1.0


WEEKDAY_SETS: Final[dict[int, tuple[tuple[tuple[Day, ...], ...], tuple[float, ...]]]] = {
    k: (
        tuple(combinations(DAYS, k)),
        tuple(_weekday_weight(c) for c in combinations(DAYS, k)),
    )
    for k in range(1, 6)
}


def _draw_days(num_days: int, rng: np.random.Generator) -> frozenset[Day]:
    """Draw a plausible set of ``num_days`` weekdays."""
    sets, weights = WEEKDAY_SETS[num_days]
    return frozenset(sets[_pick(rng, weights)])


class _Pool:
    """Distinct candidate addresses (road nodes), each used at most once."""

    def __init__(self, points: Sequence[LatLon]) -> None:
        self.points: list[LatLon] = list(dict.fromkeys(points))
        self.lat = np.array([p.lat for p in self.points], dtype=np.float64)
        self.lon = np.array([p.lon for p in self.points], dtype=np.float64)
        self.used = np.zeros(len(self.points), dtype=bool)
        self._cos_lat = math.cos(math.radians(float(self.lat.mean())))

    def __len__(self) -> int:
        return len(self.points)

    def distances_m(self, lat: float, lon: float) -> npt.NDArray[np.float64]:
        """Approximate straight-line metres from every candidate to (lat, lon)."""
        dy = (self.lat - lat) * 111_195.0
        dx = (self.lon - lon) * 111_195.0 * self._cos_lat
        result: npt.NDArray[np.float64] = np.hypot(dx, dy)
        return result

    def take(self, candidates: npt.NDArray[np.intp] | None, rng: np.random.Generator) -> int:
        """Use a random unused candidate (or any unused one if none is left); its index."""
        if candidates is not None:
            free = candidates[~self.used[candidates]]
            if len(free) > 0:
                return self.use(int(free[int(rng.integers(len(free)))]))
        free_all = np.flatnonzero(~self.used)
        if len(free_all) == 0:
            raise ValueError("The location source gave too few distinct road nodes.")
        return self.use(int(free_all[int(rng.integers(len(free_all)))]))

    def use(self, index: int) -> int:
        """Mark candidate ``index`` as used; return it."""
        self.used[index] = True
        return index


@dataclass
class _Draft:
    """A passenger being drawn; ``home`` is a pool index (-1 until placed)."""

    centre: int
    num_days: int
    is_group_home: bool
    num_escorts: int = 0
    is_wheelchair: bool = False
    home: int = -1
    birth_year: int = 0


# ------------------------------------------------------------------------------ centres


def _pick_centres(pool: _Pool, num: int, rng: np.random.Generator) -> list[int]:
    """``num`` spread-out pool indices: farthest-point picks among the inner candidates."""
    from_centroid = pool.distances_m(float(pool.lat.mean()), float(pool.lon.mean()))
    inner = np.flatnonzero(from_centroid <= np.quantile(from_centroid, INNER_CANDIDATE_QUANTILE))
    chosen = [pool.take(inner, rng)]
    nearest_chosen = pool.distances_m(pool.lat[chosen[0]], pool.lon[chosen[0]])
    while len(chosen) < num:
        free = inner[~pool.used[inner]]
        if len(free) == 0:
            chosen.append(pool.take(None, rng))
        else:
            chosen.append(pool.use(int(free[int(np.argmax(nearest_chosen[free]))])))
        latest = chosen[-1]
        nearest_chosen = np.minimum(
            nearest_chosen, pool.distances_m(pool.lat[latest], pool.lon[latest])
        )
    return chosen


def _centre_hours(is_staggered: bool, is_early_friday: bool) -> dict[Day, CentreHours]:
    """Build the opening windows, Monday to Friday."""
    shift = -STAGGER_S if is_staggered else 0
    arrival = TimeWindow(ARRIVAL_STANDARD.start_s + shift, ARRIVAL_STANDARD.end_s + shift)
    departure = TimeWindow(DEPARTURE_STANDARD.start_s + shift, DEPARTURE_STANDARD.end_s + shift)
    friday = (
        TimeWindow(departure.start_s - FRIDAY_EARLIER_S, departure.end_s - FRIDAY_EARLIER_S)
        if is_early_friday
        else departure
    )
    return {
        day: CentreHours(arrival=arrival, departure=friday if day == "fri" else departure)
        for day in DAYS
    }


def _build_centres(
    pool: _Pool, locations: list[int], names: Sequence[str], rng: np.random.Generator
) -> list[Centre]:
    """Centres ``C01``... with staggered and early-Friday hours for some of them."""
    num = len(locations)
    staggered = set(rng.permutation(num)[: round(SHARE_STAGGERED * num)].tolist())
    early_friday = set(rng.permutation(num)[: round(SHARE_EARLY_FRIDAY * num)].tolist())
    return [
        Centre(
            centre_id=f"C{i + 1:02d}",
            name=names[i],
            location=pool.points[loc],
            hours=_centre_hours(i in staggered, i in early_friday),
        )
        for i, loc in enumerate(locations)
    ]


def _centre_ranks(pool: _Pool, centre_locations: Sequence[int]) -> npt.NDArray[np.intp]:
    """For each candidate, the centres (positions in ``centre_locations``) nearest first."""
    distances = np.stack(
        [pool.distances_m(pool.lat[c], pool.lon[c]) for c in centre_locations], axis=1
    )
    ranks: npt.NDArray[np.intp] = np.argsort(distances, axis=1, kind="stable")
    return ranks


# ---------------------------------------------------------------------------- group homes


def _mix_homes(homes: list[list[_Draft]], rng: np.random.Generator) -> None:
    """Swap one resident between some homes of different centres (counts are unchanged)."""
    for home in homes:
        if rng.random() >= SHARE_HOMES_MIXED:
            continue
        others = [h for h in homes if h is not home and h[0].centre != home[0].centre]
        if not others:
            continue
        other = others[int(rng.integers(len(others)))]
        i = int(rng.integers(len(home)))
        j = int(rng.integers(len(other)))
        home[i], other[j] = other[j], home[i]


# ------------------------------------------------------------------------ sample-mode drafts


def _sample_drafts(
    pool: _Pool,
    centre_locations: list[int],
    num_passengers: int,
    rng: np.random.Generator,
) -> list[_Draft]:
    """Homes first (group homes and own addresses), then a centre near each home."""
    ranks = _centre_ranks(pool, centre_locations)
    num_ranked = min(len(centre_locations), len(NEAREST_CENTRE_WEIGHTS))

    def centre_near(home: int) -> int:
        return int(ranks[home, _pick(rng, NEAREST_CENTRE_WEIGHTS[:num_ranked])])

    num_group_home = round(SHARE_GROUP_HOME * num_passengers)
    if num_group_home < MIN_GROUP_HOME:
        num_group_home = 0
    homes: list[list[_Draft]] = []
    home_locations: list[int] = []
    for size in _partition_home_sizes(num_group_home, rng) if num_group_home else []:
        location = pool.take(None, rng)
        home_locations.append(location)
        homes.append([_Draft(centre_near(location), 5, True) for _ in range(size)])
    _mix_homes(homes, rng)
    for home, location in zip(homes, home_locations, strict=True):
        for draft in home:
            draft.home = location
    group_home = [d for home in homes for d in home]
    individual = []
    for _ in range(num_passengers - num_group_home):
        location = pool.take(None, rng)
        individual.append(_Draft(centre_near(location), 5, False, home=location))
    drafts = group_home + individual

    # Days per week: Bergen's shares, group-home residents mostly 5 days.
    day_counts = _apportion(num_passengers, BERGEN_NUM_BY_DAYS)
    num_gh_5 = min(day_counts[4], round(SHARE_GROUP_HOME_5_DAYS * num_group_home))
    gh_5 = set(rng.permutation(num_group_home)[:num_gh_5].tolist())
    rest = [k + 1 for k, count in enumerate(day_counts) for _ in range(count)]
    for _ in range(num_gh_5):
        rest.remove(5)
    rest_order = rng.permutation(len(rest))
    others = [d for i, d in enumerate(drafts) if i not in gh_5]
    for draft, r in zip(others, rest_order, strict=True):
        draft.num_days = rest[int(r)]
    for i in gh_5:
        drafts[i].num_days = 5

    escort_counts = _apportion(num_passengers, BERGEN_NUM_BY_ESCORTS)
    escorts = [k for k, count in enumerate(escort_counts) for _ in range(count)]
    for draft, r in zip(drafts, rng.permutation(num_passengers), strict=True):
        draft.num_escorts = escorts[int(r)]
    num_wheelchair = round(SHARE_WHEELCHAIR * num_passengers)
    for i in rng.permutation(num_passengers)[:num_wheelchair]:
        drafts[int(i)].is_wheelchair = True
    for draft in drafts:
        draft.birth_year = int(rng.integers(BIRTH_YEARS[0], BIRTH_YEARS[1] + 1))
    return drafts


# ------------------------------------------------------------------------ Bergen-mode drafts


def _bergen_centre_locations(pool: _Pool, rng: np.random.Generator) -> list[int]:
    """Spread-out locations; the senior centre next to its neighbour day centre."""
    names = [f.name for f in BERGEN_2025]
    local = [n for n in names if n != SENIOR_CENTRE_NAME]
    spread = dict(zip(local, _pick_centres(pool, len(local), rng), strict=True))
    neighbour = spread[SENIOR_CENTRE_NEIGHBOUR]
    by_distance = np.argsort(pool.distances_m(pool.lat[neighbour], pool.lon[neighbour]))
    spread[SENIOR_CENTRE_NAME] = pool.use(int(by_distance[~pool.used[by_distance]][0]))
    return [spread[n] for n in names]


def _bergen_drafts(
    pool: _Pool, centre_locations: list[int], rng: np.random.Generator
) -> list[_Draft]:
    """Passengers matching the published table; homes near their centre."""
    local = [i for i, f in enumerate(BERGEN_2025) if not f.is_citywide]
    local_ranks = _centre_ranks(pool, [centre_locations[i] for i in local])
    nearest = np.asarray(local, dtype=np.intp)[local_ranks[:, 0]]
    second = np.asarray(local, dtype=np.intp)[local_ranks[:, 1]]

    def home_near(centre: int) -> int:
        if BERGEN_2025[centre].is_citywide:
            return pool.take(None, rng)
        area = nearest if rng.random() < NEAREST_CENTRE_WEIGHTS[0] else second
        candidates = np.flatnonzero(area == centre)
        if not len(candidates[~pool.used[candidates]]):
            candidates = np.flatnonzero(nearest == centre)
        return pool.take(candidates, rng)

    per_centre: list[list[_Draft]] = []
    for c, figures in enumerate(BERGEN_2025):
        drafts = [
            _Draft(c, k + 1, False)
            for k, count in enumerate(figures.num_by_days)
            for _ in range(count)
        ]
        drafts = [drafts[int(i)] for i in rng.permutation(len(drafts))]
        five_days = [d for d in drafts if d.num_days == 5]
        for d in five_days[: figures.num_group_home_5_days]:
            d.is_group_home = True
        fewer_days = [d for d in drafts if d.num_days < 5]
        for d in fewer_days[: figures.num_group_home_other]:
            d.is_group_home = True
        escorts = [k + 1 for k, count in enumerate(figures.num_by_escorts) for _ in range(count)]
        for i, num_escorts in zip(rng.permutation(len(drafts)), escorts, strict=False):
            drafts[int(i)].num_escorts = num_escorts
        for i in rng.permutation(len(drafts))[: figures.num_wheelchair]:
            drafts[int(i)].is_wheelchair = True
        per_centre.append(drafts)

    # Group homes near each ordinary centre; the senior centre's residents join them.
    homes: list[list[_Draft]] = []
    for c in local:
        residents = [d for d in per_centre[c] if d.is_group_home]
        start = 0
        for size in _partition_home_sizes(len(residents), rng) if residents else []:
            homes.append(residents[start : start + size])
            start += size
    _mix_homes(homes, rng)
    citywide_residents = [
        d
        for c, f in enumerate(BERGEN_2025)
        if f.is_citywide
        for d in per_centre[c]
        if d.is_group_home
    ]
    for draft in citywide_residents:
        with_room = [h for h in homes if len(h) < MAX_GROUP_HOME]
        if not with_room:
            homes.append([])
            with_room = homes[-1:]
        with_room[int(rng.integers(len(with_room)))].append(draft)
    for home in homes:
        main_centre = max(
            {d.centre for d in home}, key=lambda c: (sum(d.centre == c for d in home), -c)
        )
        location = home_near(main_centre)
        for draft in home:
            draft.home = location
    for drafts in per_centre:
        for draft in drafts:
            if not draft.is_group_home:
                draft.home = home_near(draft.centre)

    all_drafts = [d for drafts in per_centre for d in drafts]
    _bergen_birth_years(all_drafts, rng)
    return all_drafts


def _bergen_birth_years(drafts: list[_Draft], rng: np.random.Generator) -> None:
    """Birth years reproducing the age-limit figures (see ``BERGEN_ASSUMPTIONS['ages']``).

    All users aged 62+ in 2025 or turning 62 in 2026-2030 live in group homes; most of the
    oldest attend the senior centre. Everyone else was born after 1968 (senior centre: aged
    55-56, so that the published counts hold for all users as well as for residents).
    """
    last_old = BERGEN_AGE_REFERENCE_YEAR - 62  # 1963: 62 or older by the end of 2025
    first_young = last_old + len(BERGEN_NUM_TURNING_62) + 1  # 1969
    last_senior = BERGEN_AGE_REFERENCE_YEAR - SENIOR_AGE_RANGE[0]  # 1970
    old = [int(rng.integers(BIRTH_YEARS[0], last_old + 1)) for _ in range(BERGEN_NUM_AGED_62_PLUS)]
    turning = [
        last_old + (year - BERGEN_AGE_REFERENCE_YEAR)
        for year, count in BERGEN_NUM_TURNING_62.items()
        for _ in range(count)
    ]
    turning = [turning[int(i)] for i in rng.permutation(len(turning))]

    def citywide(draft: _Draft) -> bool:
        return BERGEN_2025[draft.centre].is_citywide

    senior_residents = [d for d in drafts if citywide(d) and d.is_group_home]
    other_residents = [d for d in drafts if not citywide(d) and d.is_group_home]
    num_old = BERGEN_SENIOR_GROUP_HOME_AGED_62_PLUS
    num_turning = len(senior_residents) - num_old
    for draft, year in zip(senior_residents, old[:num_old] + turning[:num_turning], strict=True):
        draft.birth_year = year
    years = old[num_old:] + turning[num_turning:]
    years += [
        int(rng.integers(first_young, BIRTH_YEARS[1] + 1))
        for _ in range(len(other_residents) - len(years))
    ]
    for draft, i in zip(other_residents, rng.permutation(len(years)), strict=True):
        draft.birth_year = years[int(i)]
    for draft in drafts:
        if not draft.is_group_home:
            last = last_senior if citywide(draft) else BIRTH_YEARS[1]
            draft.birth_year = int(rng.integers(first_young, last + 1))


# ---------------------------------------------------------------------------- passengers


def _build_passengers(
    pool: _Pool, drafts: list[_Draft], centres: list[Centre], rng: np.random.Generator
) -> list[Passenger]:
    """Passengers ``P0001``... in centre order, with weekdays and per-passenger extras."""
    drafts = sorted(drafts, key=lambda d: d.centre)  # stable: keeps homes together
    num = len(drafts)
    days = [_draw_days(d.num_days, rng) for d in drafts]
    with_earliest = set(rng.permutation(num)[: round(SHARE_EARLIEST_PICKUP * num)].tolist())
    with_exception = set(rng.permutation(num)[: round(SHARE_HOME_EXCEPTION * num)].tolist())
    passengers = []
    for i, draft in enumerate(drafts):
        centre = centres[draft.centre]
        earliest = None
        if i in with_earliest:
            first_arrival = min(h.arrival.start_s for h in centre.hours.values())
            earliest = first_arrival - EARLIEST_PICKUP_LEAD_S
        exceptions: dict[Day, LatLon] = {}
        if i in with_exception:
            own_days = sorted(days[i], key=DAYS.index)
            day = own_days[int(rng.integers(len(own_days)))]
            home = pool.points[draft.home]
            near = np.argsort(pool.distances_m(home.lat, home.lon), kind="stable")
            near = near[~pool.used[near]][:EXCEPTION_NEIGHBOURS]
            exceptions[day] = pool.points[pool.take(near, rng)]
        passengers.append(
            Passenger(
                passenger_id=f"P{i + 1:04d}",
                home=pool.points[draft.home],
                centre_id=centre.centre_id,
                days=days[i],
                mobility=Mobility.WHEELCHAIR if draft.is_wheelchair else Mobility.WALKING,
                num_escorts=draft.num_escorts,
                earliest_pickup_s=earliest,
                home_exceptions=exceptions,
                birth_year=draft.birth_year,
            )
        )
    return passengers


# --------------------------------------------------------------------------------- fleet


def _vehicles_needed(passengers: Sequence[Passenger], centres: Sequence[Centre]) -> tuple[int, int]:
    """Vehicles and wheelchair-capable vehicles for the busiest day (before the margin)."""
    most_vehicles = 0
    most_wheelchair = 0
    for day in DAYS:
        vehicles = 0
        wheelchair = 0
        for centre in centres:
            if day not in centre.hours:
                continue
            riding = [p for p in passengers if p.centre_id == centre.centre_id and day in p.days]
            people = sum(1 + p.num_escorts for p in riding)
            vehicles += math.ceil(people / PEOPLE_PER_VEHICLE_TRIP)
            wheelchair += math.ceil(
                sum(p.num_wheelchair_places for p in riding) / WHEELCHAIRS_PER_VEHICLE_TRIP
            )
        most_vehicles = max(most_vehicles, vehicles)
        most_wheelchair = max(most_wheelchair, wheelchair)
    return most_vehicles, most_wheelchair


def _demand(passengers: Sequence[Passenger], day: Day) -> tuple[int, int]:
    """Seats and wheelchair places taken on ``day`` if everyone rode at once."""
    riding = [p for p in passengers if day in p.days]
    return sum(p.num_seats for p in riding), sum(p.num_wheelchair_places for p in riding)


@dataclass(frozen=True, slots=True)
class _Kind:
    layouts: tuple[SeatingLayout, ...]
    tariff: Tariff


OWN_MINIBUS: Final = _Kind(MINIBUS_LAYOUTS, TARIFF_OWN_MINIBUS)
OWN_CAR: Final = _Kind(CAR_LAYOUTS, TARIFF_OWN_CAR)
CONTRACTOR_MINIBUS: Final = _Kind(MINIBUS_LAYOUTS, TARIFF_CONTRACTOR_MINIBUS)
CONTRACTOR_VAN: Final = _Kind(VAN_LAYOUTS, TARIFF_CONTRACTOR_VAN)
CONTRACTOR_CAR: Final = _Kind(CAR_LAYOUTS, TARIFF_CONTRACTOR_CAR)


def _build_fleet(
    pool: _Pool,
    passengers: Sequence[Passenger],
    centres: Sequence[Centre],
    num_garages: int,
    rng: np.random.Generator,
) -> list[Vehicle]:
    """Own vehicles at the centres, then the contractor's from its garages."""
    garages = [pool.points[pool.take(None, rng)] for _ in range(num_garages)]
    planned: list[tuple[_Kind, SeatingLayout, LatLon, str]] = []
    for centre in centres:
        users = [p for p in passengers if p.centre_id == centre.centre_id]
        has_wheelchair = any(p.needs_wheelchair_place for p in users)
        layout = MINIBUS_LAYOUTS[2] if has_wheelchair else MINIBUS_LAYOUTS[0]
        planned.append((OWN_MINIBUS, layout, centre.location, OWN))
        if len(users) >= OWN_CAR_MIN_PASSENGERS:
            planned.append((OWN_CAR, CAR_LAYOUTS[0], centre.location, OWN))

    def garage() -> LatLon:
        return garages[int(rng.integers(len(garages)))]

    vehicles, wheelchair_vehicles = _vehicles_needed(passengers, centres)
    num_total = math.ceil(FLEET_MARGIN * vehicles)
    num_wheelchair = math.ceil(FLEET_MARGIN * wheelchair_vehicles)
    own_wheelchair = sum(1 for _, layout, _, _ in planned if layout.wheelchair_places >= 2)
    for _ in range(max(0, num_wheelchair - own_wheelchair)):
        if rng.random() < SHARE_VANS_AMONG_WHEELCHAIR:
            planned.append((CONTRACTOR_VAN, VAN_LAYOUTS[0], garage(), CONTRACTOR))
        else:
            planned.append((CONTRACTOR_MINIBUS, MINIBUS_LAYOUTS[2], garage(), CONTRACTOR))
    for _ in range(max(0, num_total - len(planned))):
        if rng.random() < SHARE_MINIBUSES_AMONG_OTHERS:
            layout = MINIBUS_LAYOUTS[1] if rng.random() < SHARE_MINIBUS_6_1 else MINIBUS_LAYOUTS[0]
            planned.append((CONTRACTOR_MINIBUS, layout, garage(), CONTRACTOR))
        else:
            planned.append((CONTRACTOR_CAR, CAR_LAYOUTS[0], garage(), CONTRACTOR))

    # Top up until every weekday's demand fits if everyone rode at once.
    seats = sum(layout.seats for _, layout, _, _ in planned)
    places = sum(layout.wheelchair_places for _, layout, _, _ in planned)
    for day in DAYS:
        seats_needed, places_needed = _demand(passengers, day)
        while places < places_needed:
            planned.append((CONTRACTOR_MINIBUS, MINIBUS_LAYOUTS[2], garage(), CONTRACTOR))
            seats, places = seats + MINIBUS_LAYOUTS[2].seats, places + 2
        while seats < seats_needed:
            planned.append((CONTRACTOR_MINIBUS, MINIBUS_LAYOUTS[0], garage(), CONTRACTOR))
            seats += MINIBUS_LAYOUTS[0].seats

    return [
        Vehicle(
            vehicle_id=f"V{i + 1:03d}",
            depot=depot,
            seats=layout.seats,
            wheelchair_places=layout.wheelchair_places,
            days=ALL_DAYS,
            shift=SHIFT,
            tariff=kind.tariff,
            layouts=kind.layouts,
            operator=operator,
        )
        for i, (kind, layout, depot, operator) in enumerate(planned)
    ]


# ------------------------------------------------------------------------------ the API


def generate_week(
    source: LocationSource,
    *,
    num_passengers: int = 60,
    num_centres: int = 4,
    seed: int = 1,
    bergen: bool = False,
    name: str | None = None,
) -> WeekPlan:
    """Generate a synthetic week on ``source``'s road nodes, identical for the same seed.

    ``bergen=False``: ``num_passengers`` passengers and ``num_centres`` centres with Bergen's
    overall proportions (see the module docstring). ``bergen=True``: Bergen's 305 passengers in
    its 11 centres exactly as published (``num_passengers``/``num_centres`` are ignored; see
    :data:`BERGEN_ASSUMPTIONS`). ``name`` defaults to one naming the mode and seed.
    Raises ``ValueError`` for fewer than one passenger or centre, or when ``source`` gives
    too few distinct locations.
    """
    if not bergen and (num_passengers < 1 or num_centres < 1):
        raise ValueError("num_passengers and num_centres must be at least 1.")
    rng = np.random.default_rng(seed)
    wanted = BERGEN_NUM_PASSENGERS if bergen else num_passengers
    pool = _Pool(source.random_node_locations(max(600, 8 * wanted), rng))
    if len(pool) < 2 * wanted + 20:
        raise ValueError(f"The location source gave only {len(pool)} distinct road nodes.")
    if bergen:
        locations = _bergen_centre_locations(pool, rng)
        centres = _build_centres(pool, locations, [f.name for f in BERGEN_2025], rng)
        drafts = _bergen_drafts(pool, locations, rng)
        num_garages = 3
        default_name = f"bergen-2025-seed{seed}"
    else:
        locations = _pick_centres(pool, num_centres, rng)
        names = [f"Day centre {i + 1}" for i in range(num_centres)]
        centres = _build_centres(pool, locations, names, rng)
        drafts = _sample_drafts(pool, locations, num_passengers, rng)
        num_garages = 2 if num_centres < 8 else 3
        default_name = f"generated-{num_passengers}p-{num_centres}c-seed{seed}"
    passengers = _build_passengers(pool, drafts, centres, rng)
    vehicles = _build_fleet(pool, passengers, centres, num_garages, rng)
    return WeekPlan(
        centres=tuple(centres),
        passengers=tuple(passengers),
        vehicles=tuple(vehicles),
        settings=Settings(time_limit_s=TIME_LIMIT_S, seed=seed),
        name=name if name is not None else default_name,
    )
