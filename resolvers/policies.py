"""Example ``@policy`` functions for the embedded policy engine (docs/security.md).

A deployment names them in ``aggregator.yaml`` as ``resolvers.policies:NAME``
(docs/examples/aggregator-supergraph.yaml). Each gets the policy input
document the gateway builds per operation and grants only by returning exactly
``True``: anything else, an exception included, withholds the fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["treating_clinician"]


def treating_clinician(policy_input: Mapping[str, Any]) -> bool:
    """Health staff who declared treatment as their purpose of use.

    The agency and purpose come from the validated token (or the declared
    purpose header the token allows), never from anything else the client sent.
    """
    return (
        policy_input.get("authenticated") is True
        and policy_input.get("agency") == "health"
        and policy_input.get("purpose") == "treatment"
    )
