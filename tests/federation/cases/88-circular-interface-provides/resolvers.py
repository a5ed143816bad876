"""An interface field returning the interface, narrowed to the object type with @provides.

`Service.sameFeeService: Service` is `Clinic.sameFeeService: Clinic` in
directory, which provides the external `fee` on the returned clinic. The same
response key is then selected both through the interface and through
`... on Clinic`, at two depths: the gateway must merge them into one subgraph
selection, use the provided `fee` below `sameFeeService`, and fetch `fee` from
fees only for the root clinic (where nothing provides it).
"""

from typing import Any

from tests.federation.subgraph import Resolvers

CLINICS = [
    {"id": "k1", "fee": 45.5},
    {"id": "k2", "fee": 60.0},
    {"id": "k3", "fee": 45.5},
]


def _same_fee(clinic: dict[str, Any], _args: Any) -> dict[str, Any] | None:
    fee = next(c["fee"] for c in CLINICS if c["id"] == clinic["id"])
    other = next((c for c in CLINICS if c["fee"] == fee and c["id"] != clinic["id"]), None)
    return None if other is None else {"__typename": "Clinic", **other}


def build() -> dict[str, Resolvers]:
    return {
        "directory": {
            "Query.service": lambda _, __: {"__typename": "Clinic", "id": "k1"},
            "Clinic": lambda rep: {"__typename": "Clinic", "id": rep["id"]},
            "Clinic.sameFeeService": _same_fee,
        },
        "fees": {
            "Clinic": lambda rep: next(
                ({"id": c["id"], "fee": c["fee"] + 0.25} for c in CLINICS if c["id"] == rep["id"]),
                None,
            ),
        },
    }
