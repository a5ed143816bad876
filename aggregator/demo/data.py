"""Deterministic fake records for the four fictional demo agencies.

Seeded, so every run (and every test) sees the same citizens, vehicles, tax
returns and immunisations. No real person, plate or tax file is represented.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

__all__ = ["CITIZEN_COUNT", "DemoData", "demo_data"]

CITIZEN_COUNT = 60
_GIVEN = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Isla",
    "Jonah",
    "Kiri",
    "Leila",
    "Mateo",
    "Nina",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Talia",
]
_FAMILY = [
    "Nguyen",
    "Smith",
    "Okafor",
    "Rossi",
    "Tanaka",
    "Kowalski",
    "Haddad",
    "Murphy",
    "Fernandes",
    "Walker",
    "Singh",
    "Larsen",
    "Moreau",
    "Brennan",
    "Castillo",
]
_STREETS = [
    "Wattle St",
    "Harbour Rd",
    "Banksia Ave",
    "Kingfisher Way",
    "Jacaranda Cres",
    "Station St",
    "Bluegum Pde",
    "Ridge Rd",
]
_TOWNS = [
    ("Port Averly", "EA", "2601"),
    ("Millbrook", "EA", "2614"),
    ("Carrow Bay", "NO", "4870"),
    ("Halden", "NO", "4810"),
    ("Westmere", "SO", "7000"),
    ("Tallis Creek", "SO", "7250"),
]
_MAKES = [
    ("Toyota", "Corolla"),
    ("Mazda", "CX-5"),
    ("Hyundai", "i30"),
    ("Ford", "Ranger"),
    ("Kia", "Sportage"),
    ("Tesla", "Model 3"),
    ("Subaru", "Outback"),
    ("BYD", "Atto 3"),
]
_VACCINES = [
    ("MMR", "Measles, mumps, rubella"),
    ("DTPa", "Diphtheria, tetanus, pertussis"),
    ("HepB", "Hepatitis B"),
    ("FLU", "Influenza"),
    ("COVID-19", "COVID-19 mRNA"),
    ("HPV", "Human papillomavirus"),
    ("VZV", "Varicella"),
]
_CLINICS = [
    "Port Averly Community Health",
    "Millbrook Medical Centre",
    "Carrow Bay Pharmacy",
    "Westmere Hospital",
    "Halden GP Clinic",
]


@dataclass(frozen=True)
class DemoData:
    citizens: list[dict[str, Any]]
    vehicles: list[dict[str, Any]]
    licences: list[dict[str, Any]]
    tax_returns: dict[str, list[dict[str, Any]]]
    immunisations: dict[str, list[dict[str, Any]]]


def _plate(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    return "".join(rng.choice(letters) for _ in range(3)) + f"-{rng.randint(100, 999)}"


@cache
def demo_data() -> DemoData:
    rng = random.Random(20240601)
    citizens: list[dict[str, Any]] = []
    vehicles: list[dict[str, Any]] = []
    licences: list[dict[str, Any]] = []
    tax_returns: dict[str, list[dict[str, Any]]] = {}
    immunisations: dict[str, list[dict[str, Any]]] = {}
    for index in range(1, CITIZEN_COUNT + 1):
        cid = f"C{index:04d}"
        born = date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 55))
        town, state, postcode = rng.choice(_TOWNS)
        citizens.append(
            {
                "id": cid,
                "givenName": rng.choice(_GIVEN),
                "familyName": rng.choice(_FAMILY),
                "dateOfBirth": born,
                "address": {
                    "line1": f"{rng.randint(1, 240)} {rng.choice(_STREETS)}",
                    "locality": town,
                    "region": state,
                    "postcode": postcode,
                },
            }
        )
        for _ in range(rng.randint(0, 3)):
            make, model = rng.choice(_MAKES)
            vehicles.append(
                {
                    "registration_number": _plate(rng),
                    "owner_id": cid,
                    "make": make,
                    "model": model,
                    "year": rng.randint(2005, 2025),
                    "registration": {
                        "status": rng.choice(["CURRENT", "CURRENT", "CURRENT", "EXPIRED"]),
                        "expires_on": (
                            date(2026, 1, 1) + timedelta(days=rng.randint(0, 700))
                        ).isoformat(),
                    },
                }
            )
        if born < date(2008, 1, 1):
            licences.append(
                {
                    "licence_number": f"DL{rng.randint(10_000_000, 99_999_999)}",
                    "holder_id": cid,
                    "class": rng.choice(["C", "C", "LR", "MR", "HC"]),
                    "expires_on": (
                        date(2026, 6, 1) + timedelta(days=rng.randint(0, 1800))
                    ).isoformat(),
                    "demerit_points": rng.choice([0, 0, 0, 1, 3, 4]),
                }
            )
        first_year = max(born.year + 18, 1990)
        returns = []
        for year in range(2025, first_year - 1, -1):
            income = rng.randint(28_000, 190_000)
            withheld = round(income * rng.uniform(0.15, 0.32), 2)
            payable = round(max(0.0, (income - 18_200) * 0.27), 2)
            returns.append(
                {
                    "financial_year": f"{year - 1}-{str(year)[2:]}",
                    "lodged_on": date(year, rng.randint(7, 10), rng.randint(1, 28)).isoformat(),
                    "taxable_income": income,
                    "assessment": {
                        "tax_payable": payable,
                        "withheld": withheld,
                        "refund": round(withheld - payable, 2),
                    },
                    "status": "ASSESSED" if year < 2025 else rng.choice(["ASSESSED", "PROCESSING"]),
                }
            )
        tax_returns[cid] = returns
        shots = []
        for code, name in rng.sample(_VACCINES, rng.randint(2, 6)):
            floor = date(2021, 2, 22) if code == "COVID-19" else born
            earliest = max(born + timedelta(days=60), floor)
            span = max(1, (date(2025, 6, 1) - earliest).days)
            given = earliest + timedelta(days=rng.randint(0, span))
            shots.append(
                {
                    "vaccine_code": code,
                    "vaccine_name": name,
                    "date_given": min(given, date(2025, 6, 1)),
                    "provider": rng.choice(_CLINICS),
                    "dose": rng.randint(1, 3),
                }
            )
        immunisations[cid] = sorted(shots, key=lambda s: s["date_given"])
    return DemoData(citizens, vehicles, licences, tax_returns, immunisations)
