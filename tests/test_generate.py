"""Tests of the week generator on a fake location source (no road graph needed)."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from solver.domain import DAYS, LatLon, Passenger, WeekPlan
from solver.generate import BERGEN_ASSUMPTIONS, LocationSource, generate_week

# Oslo east, the bundled road graph's bounding box.
LAT_RANGE = (59.860, 59.938)
LON_RANGE = (10.708, 10.829)


class FakeSource:
    """Uniform random points in the Oslo-east box, drawn with the caller's generator."""

    def random_node_locations(self, n: int, rng: np.random.Generator) -> list[LatLon]:
        lat = rng.uniform(*LAT_RANGE, size=n)
        lon = rng.uniform(*LON_RANGE, size=n)
        return [
            LatLon(round(float(a), 6), round(float(b), 6)) for a, b in zip(lat, lon, strict=True)
        ]


SOURCE: LocationSource = FakeSource()

# DOMAIN.md, Bergen September 2025, copied independently of solver.generate:
# name: (1, 2, 3, 4, 5 days), 5-day group-home residents, (1, 2, 3 escorts)
BERGEN_TABLE: dict[str, tuple[tuple[int, ...], int, tuple[int, ...]]] = {
    "Arna": ((2, 2, 3, 4, 11), 5, (3, 1, 0)),
    "Eidsvåg": ((0, 2, 4, 5, 33), 28, (3, 0, 0)),
    "Fana": ((2, 7, 3, 3, 19), 14, (8, 13, 1)),
    "Laxevaag": ((0, 3, 5, 9, 6), 6, (1, 0, 0)),
    "Laxevaag senior": ((2, 14, 19, 0, 0), 0, (1, 0, 0)),
    "Nesttun": ((0, 1, 1, 5, 21), 20, (6, 0, 0)),
    "Kloppedalen": ((0, 0, 0, 2, 9), 8, (4, 0, 0)),
    "Sandviken": ((0, 2, 0, 2, 21), 18, (0, 0, 0)),
    "Solplassen": ((0, 1, 1, 2, 34), 28, (6, 0, 0)),
    "Spelhaugen": ((0, 1, 2, 1, 24), 22, (3, 0, 0)),
    "Tjønnen": ((1, 0, 7, 3, 6), 4, (8, 3, 1)),
}
SPECIALISED = {"Eidsvåg", "Nesttun", "Kloppedalen", "Sandviken", "Spelhaugen"}


@pytest.fixture(scope="module")
def sample() -> WeekPlan:
    """The sample week: 60 passengers, 4 centres, seed 1."""
    return generate_week(SOURCE, num_passengers=60, num_centres=4, seed=1)


@pytest.fixture(scope="module")
def bergen() -> WeekPlan:
    """Bergen's 305 passengers in 11 centres, laid on the fake map."""
    return generate_week(SOURCE, bergen=True, seed=1)


@pytest.fixture(params=["sample", "bergen", "other_seed"])
def week(request: pytest.FixtureRequest, sample: WeekPlan, bergen: WeekPlan) -> WeekPlan:
    if request.param == "sample":
        return sample
    if request.param == "bergen":
        return bergen
    return generate_week(SOURCE, num_passengers=90, num_centres=3, seed=7)


def group_home_residents(week: WeekPlan) -> set[str]:
    """Passengers whose home address is shared with someone else."""
    count = Counter(p.home for p in week.passengers)
    return {p.passenger_id for p in week.passengers if count[p.home] > 1}


def distance_m(a: LatLon, b: LatLon) -> float:
    dy = (a.lat - b.lat) * 111_195.0
    dx = (a.lon - b.lon) * 111_195.0 * math.cos(math.radians(a.lat))
    return math.hypot(dx, dy)


def share_at_nearest_centre(week: WeekPlan, passengers: list[Passenger]) -> float:
    centres = [c for c in week.centres if c.name != "Laxevaag senior"]
    nearest = sum(
        1
        for p in passengers
        if min(centres, key=lambda c: distance_m(p.home, c.location)).centre_id == p.centre_id
    )
    return nearest / len(passengers)


# ------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_week() -> None:
    assert generate_week(SOURCE, seed=5) == generate_week(SOURCE, seed=5)
    assert generate_week(SOURCE, bergen=True, seed=5) == generate_week(SOURCE, bergen=True, seed=5)


def test_different_seeds_give_different_weeks() -> None:
    assert generate_week(SOURCE, seed=5) != generate_week(SOURCE, seed=6)


def test_global_random_state_is_untouched() -> None:
    np.random.seed(123)
    before = np.random.random()
    np.random.seed(123)
    generate_week(SOURCE, seed=2)
    assert np.random.random() == before


def test_settings_carry_seed_and_time_limit() -> None:
    week = generate_week(SOURCE, seed=9, name="my-week")
    assert week.settings.seed == 9
    assert week.settings.time_limit_s == 60
    assert week.name == "my-week"


def test_bad_arguments_are_rejected() -> None:
    with pytest.raises(ValueError):
        generate_week(SOURCE, num_passengers=0)
    with pytest.raises(ValueError):
        generate_week(SOURCE, num_centres=0)


class TinySource:
    """A map with only five distinct nodes."""

    def random_node_locations(self, n: int, rng: np.random.Generator) -> list[LatLon]:
        return [LatLon(59.9, 10.75 + 0.001 * (i % 5)) for i in range(n)]


def test_too_few_distinct_locations_are_rejected() -> None:
    with pytest.raises(ValueError, match="distinct road nodes"):
        generate_week(TinySource())


@pytest.mark.parametrize(("num_passengers", "num_centres"), [(1, 1), (5, 2), (12, 6), (200, 8)])
def test_other_sizes_are_generated(num_passengers: int, num_centres: int) -> None:
    week = generate_week(SOURCE, num_passengers=num_passengers, num_centres=num_centres)
    assert len(week.passengers) == num_passengers
    assert len(week.centres) == num_centres


# ---------------------------------------------------------------------- Bergen figures


def test_bergen_has_the_published_centres_and_users(bergen: WeekPlan) -> None:
    assert [c.name for c in bergen.centres] == list(BERGEN_TABLE)
    assert len(bergen.passengers) == 305
    assert [c.centre_id for c in bergen.centres] == [f"C{i:02d}" for i in range(1, 12)]
    assert len({c.location for c in bergen.centres}) == 11


def test_bergen_days_per_week_match_the_table(bergen: WeekPlan) -> None:
    for centre in bergen.centres:
        days = Counter(len(p.days) for p in bergen.passengers if p.centre_id == centre.centre_id)
        assert tuple(days[k] for k in range(1, 6)) == BERGEN_TABLE[centre.name][0], centre.name


def test_bergen_5_day_group_home_residents_match_the_table(bergen: WeekPlan) -> None:
    residents = group_home_residents(bergen)
    for centre in bergen.centres:
        count = sum(
            1
            for p in bergen.passengers
            if p.centre_id == centre.centre_id and len(p.days) == 5 and p.passenger_id in residents
        )
        assert count == BERGEN_TABLE[centre.name][1], centre.name
    assert (
        sum(1 for p in bergen.passengers if len(p.days) == 5 and p.passenger_id in residents) == 153
    )


def test_bergen_escorts_match_the_table(bergen: WeekPlan) -> None:
    for centre in bergen.centres:
        escorts = Counter(
            p.num_escorts for p in bergen.passengers if p.centre_id == centre.centre_id
        )
        assert tuple(escorts[k] for k in (1, 2, 3)) == BERGEN_TABLE[centre.name][2], centre.name
    assert Counter(p.num_escorts for p in bergen.passengers) == {0: 243, 1: 43, 2: 17, 3: 2}


def test_bergen_wheelchair_share_follows_the_stated_assumption(bergen: WeekPlan) -> None:
    for centre in bergen.centres:
        users = [p for p in bergen.passengers if p.centre_id == centre.centre_id]
        share = 0.45 if centre.name in SPECIALISED else 0.30 if centre.name == "Fana" else 0.05
        expected = math.floor(share * len(users) + 0.5)
        assert sum(p.needs_wheelchair_place for p in users) == expected, centre.name
    assert "45%" in BERGEN_ASSUMPTIONS["wheelchair_share"]


def test_bergen_senior_centre_users_are_55_to_83_and_25_live_in_group_homes(
    bergen: WeekPlan,
) -> None:
    senior = next(c for c in bergen.centres if c.name == "Laxevaag senior")
    users = [p for p in bergen.passengers if p.centre_id == senior.centre_id]
    assert all(p.birth_year is not None and 55 <= 2025 - p.birth_year <= 83 for p in users)
    assert sum(p.passenger_id in group_home_residents(bergen) for p in users) == 25


def test_bergen_age_limit_figures_are_reproduced(bergen: WeekPlan) -> None:
    years = Counter(p.birth_year for p in bergen.passengers)
    assert sum(n for y, n in years.items() if y is not None and y <= 1963) == 29
    assert [years[y] for y in range(1964, 1969)] == [2, 6, 3, 9, 4]
    residents = group_home_residents(bergen)
    old = [p for p in bergen.passengers if p.birth_year is not None and p.birth_year <= 1968]
    assert all(p.passenger_id in residents for p in old)


def test_bergen_senior_centre_draws_from_the_whole_map(bergen: WeekPlan) -> None:
    senior = next(c for c in bergen.centres if c.name == "Laxevaag senior")
    laxevaag = next(c for c in bergen.centres if c.name == "Laxevaag")
    assert distance_m(senior.location, laxevaag.location) < 500
    senior_users = [p for p in bergen.passengers if p.centre_id == senior.centre_id]
    local_users = [p for p in bergen.passengers if p.centre_id != senior.centre_id]
    mean_senior = np.mean([distance_m(p.home, senior.location) for p in senior_users])
    mean_local = np.mean(
        [distance_m(p.home, bergen.centre(p.centre_id).location) for p in local_users]
    )
    assert mean_senior > 1.5 * mean_local


def test_bergen_users_mostly_live_nearest_their_centre(bergen: WeekPlan) -> None:
    senior = next(c for c in bergen.centres if c.name == "Laxevaag senior")
    local = [p for p in bergen.passengers if p.centre_id != senior.centre_id]
    assert share_at_nearest_centre(bergen, local) >= 0.55


def test_bergen_assumptions_are_stated(bergen: WeekPlan) -> None:
    text = " ".join(BERGEN_ASSUMPTIONS.values())
    for word in ("road graph", "Arna", "wheelchair", "Laxevaag senior", "55-83", "Tariffs"):
        assert word in text
    assert all(isinstance(v, str) and v for v in BERGEN_ASSUMPTIONS.values())


# ------------------------------------------------------------------ sample proportions


def test_sample_week_has_the_expected_shape(sample: WeekPlan) -> None:
    assert 3 <= len(sample.centres) <= 4
    assert len(sample.passengers) == 60
    days = Counter(len(p.days) for p in sample.passengers)
    assert set(days) == {1, 2, 3, 4, 5}
    assert 0.5 <= days[5] / 60 <= 0.7
    assert 0.15 <= sum(p.needs_wheelchair_place for p in sample.passengers) / 60 <= 0.25
    escorted = sum(p.num_escorts > 0 for p in sample.passengers) / 60
    assert 0.1 <= escorted <= 0.3  # Bergen: 62 of 305
    assert 0.4 <= len(group_home_residents(sample)) / 60 <= 0.6


def test_sample_group_home_residents_mostly_have_5_days(sample: WeekPlan) -> None:
    residents = [p for p in sample.passengers if p.passenger_id in group_home_residents(sample)]
    assert sum(len(p.days) == 5 for p in residents) / len(residents) >= 0.75


def test_sample_passengers_mostly_attend_their_nearest_centre(sample: WeekPlan) -> None:
    assert share_at_nearest_centre(sample, list(sample.passengers)) >= 0.55


def test_sample_has_some_restrictions_and_a_mixed_fleet(sample: WeekPlan) -> None:
    assert any(p.earliest_pickup_s is not None for p in sample.passengers)
    assert any(p.home_exceptions for p in sample.passengers)
    assert {v.operator for v in sample.vehicles} == {"own", "contractor"}
    assert any(len(v.layouts) == 3 for v in sample.vehicles)  # flip seats recorded
    assert any(v.wheelchair_places == 0 for v in sample.vehicles)
    assert any(v.wheelchair_places > 0 for v in sample.vehicles)
    assert len({(v.seats, v.wheelchair_places) for v in sample.vehicles}) >= 4


def test_centres_are_staggered_and_some_close_early_on_friday(bergen: WeekPlan) -> None:
    arrivals = {c.hours["mon"].arrival.start_s for c in bergen.centres}
    assert arrivals == {8 * 3600, 8 * 3600 + 1800}
    assert any(
        c.hours["fri"].departure.start_s < c.hours["thu"].departure.start_s for c in bergen.centres
    )


# --------------------------------------------------------------------------- invariants


def test_ids_are_unique_and_pseudonymous(week: WeekPlan) -> None:
    ids = [p.passenger_id for p in week.passengers]
    assert ids == [f"P{i:04d}" for i in range(1, len(ids) + 1)]
    assert [v.vehicle_id for v in week.vehicles] == [
        f"V{i:03d}" for i in range(1, len(week.vehicles) + 1)
    ]


def test_every_passenger_attends_an_open_centre(week: WeekPlan) -> None:
    for p in week.passengers:
        centre = week.centre(p.centre_id)
        assert p.days and p.days <= set(centre.hours), p.passenger_id
        assert set(p.home_exceptions) <= p.days, p.passenger_id


def test_centres_are_open_monday_to_friday_with_sane_windows(week: WeekPlan) -> None:
    for c in week.centres:
        assert set(c.hours) == set(DAYS)
        for hours in c.hours.values():
            assert hours.arrival.start_s < hours.arrival.end_s < hours.departure.start_s
            assert hours.departure.start_s < hours.departure.end_s


def test_escorts_between_0_and_3(week: WeekPlan) -> None:
    assert all(0 <= p.num_escorts <= 3 for p in week.passengers)


def test_group_homes_hold_3_to_8_and_addresses_are_road_nodes(week: WeekPlan) -> None:
    sizes = Counter(p.home for p in week.passengers)
    assert all(n == 1 or 3 <= n <= 8 for n in sizes.values())
    centres = {c.location for c in week.centres}
    assert not centres & set(sizes)
    for p in week.passengers:
        for loc in (p.home, *p.home_exceptions.values()):
            assert LAT_RANGE[0] <= loc.lat <= LAT_RANGE[1]
            assert LON_RANGE[0] <= loc.lon <= LON_RANGE[1]


def test_earliest_pickup_comes_well_before_the_arrival_window(week: WeekPlan) -> None:
    for p in week.passengers:
        if p.earliest_pickup_s is not None:
            centre = week.centre(p.centre_id)
            first = min(h.arrival.start_s for h in centre.hours.values())
            assert p.earliest_pickup_s <= first - 30 * 60


def test_fleet_capacity_covers_every_days_demand(week: WeekPlan) -> None:
    for day in DAYS:
        riding = [p for p in week.passengers if day in p.days]
        vehicles = [v for v in week.vehicles if day in v.days]
        assert sum(v.seats for v in vehicles) >= sum(p.num_seats for p in riding), day
        assert sum(v.wheelchair_places for v in vehicles) >= sum(
            p.num_wheelchair_places for p in riding
        ), day


def test_every_passenger_fits_some_vehicle(week: WeekPlan) -> None:
    for p in week.passengers:
        assert any(
            v.seats >= p.num_seats and v.wheelchair_places >= p.num_wheelchair_places
            for v in week.vehicles
        ), p.passenger_id


def test_vehicle_layout_is_one_of_its_layouts(week: WeekPlan) -> None:
    for v in week.vehicles:
        assert v.layouts, v.vehicle_id
        assert any(
            (layout.seats, layout.wheelchair_places) == (v.seats, v.wheelchair_places)
            for layout in v.layouts
        ), v.vehicle_id


def test_vehicles_work_the_week_from_a_depot(week: WeekPlan) -> None:
    centres = {c.location for c in week.centres}
    for v in week.vehicles:
        assert v.days == set(DAYS)
        assert (v.shift.start_s, v.shift.end_s) == (6 * 3600 + 1800, 17 * 3600 + 1800)
        assert (v.depot in centres) == (v.operator == "own")
        assert v.tariff.per_hour > 0 and v.tariff.per_km > 0 and v.tariff.per_vehicle_day > 0
