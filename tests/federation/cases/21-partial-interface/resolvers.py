from tests.federation.subgraph import Resolvers, lookup

ALERTS = [{"__typename": "Alert", "id": "a1", "text": "Flood", "level": 3, "channel": "sms"}]
FEED = [*ALERTS, {"__typename": "Reminder", "id": "r1", "text": "Renew passport"}]
URGENT = [*ALERTS, {"__typename": "Outage", "id": "o1", "text": "Portal down", "region": "north"}]


def build() -> dict[str, Resolvers]:
    return {
        "feed": {"Query.feed": lambda _, __: FEED, "Alert": lookup(ALERTS, "id")},
        "extra": {"Query.urgent": lambda _, __: URGENT, "Alert": lookup(ALERTS, "id")},
    }
