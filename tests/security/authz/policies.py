"""Embedded policy functions the tests name in configs as ``module:function``."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

CALLS: list[Mapping[str, Any]] = []


def read_credit_card(policy_input: Mapping[str, Any]) -> bool:
    """Only the billing agency, and only for a card's last 4 digits or fewer."""
    CALLS.append(policy_input)
    arguments = next(
        f["arguments"] for f in policy_input["fields"] if f["coordinate"] == "User.creditCard"
    )
    return policy_input["agency"] == "billing" and arguments.get("last", 4) <= 4


async def member(policy_input: Mapping[str, Any]) -> bool:
    await asyncio.sleep(0)
    return policy_input["claims"].get("membership") == "active"


def staff(policy_input: Mapping[str, Any]) -> bool:
    return "staff" in policy_input["claims"].get("roles", [])


def loyalty_desk(policy_input: Mapping[str, Any]) -> bool:
    return policy_input["purpose"] == "loyalty"


def truthy_but_not_true(policy_input: Mapping[str, Any]) -> Any:
    return "yes"  # anything but True denies


def broken(policy_input: Mapping[str, Any]) -> bool:
    raise RuntimeError("policy store unavailable")


async def slow(policy_input: Mapping[str, Any]) -> bool:
    await asyncio.sleep(5)
    return True
