"""Passengers from CSV files as Norwegian spreadsheets write them."""

from __future__ import annotations

import pytest
from servicekit import Service

from app.interop.csv_passengers import guess_delimiter, passengers_from_csv
from solver.errors import InputError

NORWEGIAN = (
    "Passasjer_ID;Senter;Breddegrad;Lengdegrad;Dager;Rullestol;Ledsagere;Maks_reisetid_min;"
    "Tidligst_henting;Navn\n"
    "P001;C01;59,9057;10,7828;man ons fre;nei;0;45;07.45;Kari\n"
    "P002;C01;59,8913;10,8040;man,tir;ja;1;;;Ola\n"
)


def test_a_semicolon_file_with_bom_decimal_commas_and_norwegian_names_is_read() -> None:
    passengers = passengers_from_csv(("\ufeff" + NORWEGIAN).encode("utf-8"))
    first, second = passengers
    assert first == {
        "id": "P001", "home": {"lat": 59.9057, "lon": 10.7828}, "centre_id": "C01",
        "days": ["mon", "wed", "fri"], "escorts": 0, "max_ride_s": 2700,
        "earliest_pickup": "07:45",
    }  # fmt: skip
    assert second["mobility"] == "wheelchair" and second["escorts"] == 1
    assert second["days"] == ["mon", "tue"]
    assert all("Kari" not in str(p) for p in passengers)  # unknown columns are not copied


def test_a_comma_file_without_bom_and_one_column_per_weekday_is_read() -> None:
    text = "id,centre_id,lat,lon,mon,tue,wed,thu,fri,wheelchair\nP1,C1,59.9,10.8,x,,x,,,no\n"
    assert passengers_from_csv(text.encode())[0]["days"] == ["mon", "wed"]


def test_windows_1252_files_from_older_excel_are_read() -> None:
    text = "id;senter;breddegrad;lengdegrad;dager;fødselsår\nP1;C1;59,9;10,8;tor;1961\n"
    passengers = passengers_from_csv(text.encode("cp1252"))
    assert passengers[0]["birth_year"] == 1961 and passengers[0]["days"] == ["thu"]


def test_every_bad_row_is_reported_with_its_row_number_and_no_coordinates() -> None:
    text = (
        "id;senter;breddegrad;lengdegrad;dager;ledsagere\n"
        "P1;C1;59,9;10,8;man;0\n"
        "P2;C1;59,9x;10,8;man;0\n"
        "P3;C1;59,9;10,8;lørdag;0\n"
        "P1;C1;59,9;10,8;man;0\n"
        "P5;C1;95,12345;10,8;man;7\n"
    )
    with pytest.raises(InputError) as caught:
        passengers_from_csv(text.encode())
    issues = caught.value.issues
    assert {(i.code, i.path) for i in issues} >= {
        ("CSV_VALUE", "rows[3].lat"),
        ("CSV_VALUE", "rows[4].days"),
        ("CSV_DUPLICATE_ID", "rows[5].id"),
    }
    assert any(i.path and i.path.startswith("rows[6]") for i in issues)
    assert "59,9x" not in str(caught.value) and "95,12345" not in str(caught.value)


def test_missing_columns_are_named() -> None:
    with pytest.raises(InputError) as caught:
        passengers_from_csv(b"id;lat;lon\nP1;59;10\n")
    messages = " ".join(i.message for i in caught.value.issues)
    assert "centre_id" in messages and "days" in messages


def test_the_delimiter_is_guessed_from_the_header() -> None:
    assert guess_delimiter("a;b;c") == ";" and guess_delimiter("a,b") == ","
    assert guess_delimiter("a\tb") == "\t" and guess_delimiter("abc") == ","


def test_the_import_route_answers_passengers_or_row_errors(service: Service) -> None:
    ok = service.post(
        "/v1/import/passengers",
        content=NORWEGIAN.encode(),
        headers={"Content-Type": "text/csv; charset=utf-8"},
    )
    assert ok.status_code == 200 and ok.json()["num_rows"] == 2
    bad = service.post(
        "/v1/import/passengers", content=b"id;lat\n1;2\n", headers={"Content-Type": "text/csv"}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["code"] == "CSV_HEADER"
