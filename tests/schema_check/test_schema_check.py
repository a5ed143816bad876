"""Breaking, dangerous and deprecated changes between supergraphs, as clients see them."""

from __future__ import annotations

from graphql import print_schema

from aggregator.schema_check import (
    Deprecation,
    Severity,
    api_schema,
    check_sdl,
    coordinate_of,
    format_table,
    to_json,
)
from tests.schema_check.supergraphs import supergraph

BASE = """
type Query @join__type(graph: A) @join__type(graph: B) {
  licence(id: ID!, state: String): Licence @join__field(graph: A)
  secret: String @join__field(graph: B) @inaccessible
}
type Licence @join__type(graph: A, key: "id") {
  id: ID!
  holder: String!
  class: LicenceClass
  expires: String
}
enum LicenceClass @join__type(graph: A) { CAR TRUCK MOTORCYCLE }
input Filter @join__type(graph: A) { state: String }
"""


def changes(new_body: str, old_body: str = BASE) -> list[tuple[str, str, str]]:
    check = check_sdl(supergraph(old_body), supergraph(new_body))
    return [
        (c.severity.value, c.kind, c.coordinate)
        for c in check.changes
        if c.severity is not Severity.SAFE
    ]


def test_api_schema_hides_federation_machinery_and_inaccessible_fields() -> None:
    printed = print_schema(api_schema(supergraph(BASE)))
    assert "join__" not in printed
    assert "link" not in printed
    assert "secret" not in printed
    assert "@inaccessible" not in printed
    assert "licence(id: ID!, state: String): Licence" in printed


def test_identical_supergraphs_have_no_changes() -> None:
    check = check_sdl(supergraph(BASE), supergraph(BASE))
    assert check.changes == ()
    assert check.ok


def test_removing_an_inaccessible_field_is_not_a_change() -> None:
    assert (
        changes(BASE.replace("  secret: String @join__field(graph: B) @inaccessible\n", "")) == []
    )


def test_removals_are_breaking() -> None:
    new = (
        BASE.replace("  expires: String\n", "")
        .replace(" MOTORCYCLE", "")
        .replace(", state: String", "")
        .replace("input Filter @join__type(graph: A) { state: String }\n", "")
    )
    assert changes(new) == [
        ("breaking", "TYPE_REMOVED", "Filter"),
        ("breaking", "FIELD_REMOVED", "Licence.expires"),
        ("breaking", "VALUE_REMOVED_FROM_ENUM", "LicenceClass.MOTORCYCLE"),
        ("breaking", "ARG_REMOVED", "Query.licence(state:)"),
    ]


def test_changed_type_and_nullability() -> None:
    new = (
        BASE.replace("holder: String!", "holder: String")  # output loosened: breaking
        .replace("expires: String", "expires: String!")  # output tightened: safe
        .replace("state: String)", "state: String!)")  # input tightened: breaking
        .replace("id: ID!, ", "id: ID, ")  # input loosened: safe
        .replace("class: LicenceClass", "class: String")
    )  # changed type: breaking
    assert changes(new) == [
        ("breaking", "FIELD_CHANGED_KIND", "Licence.class"),
        ("breaking", "FIELD_CHANGED_KIND", "Licence.holder"),
        ("breaking", "ARG_CHANGED_KIND", "Query.licence(state:)"),
    ]
    safe = {c.coordinate for c in check_sdl(supergraph(BASE), supergraph(new)).safe}
    assert safe == {"Licence.expires", "Query.licence(id:)"}


def test_new_required_argument_breaks_and_new_optional_one_is_dangerous() -> None:
    assert changes(BASE.replace("state: String)", "state: String, year: Int!)")) == [
        ("breaking", "REQUIRED_ARG_ADDED", "Query.licence(year:)")
    ]
    assert changes(BASE.replace("state: String)", "state: String, year: Int)")) == [
        ("dangerous", "OPTIONAL_ARG_ADDED", "Query.licence(year:)")
    ]


def test_new_enum_value_and_changed_default_are_dangerous() -> None:
    new = BASE.replace("MOTORCYCLE", "MOTORCYCLE BUS").replace(
        "state: String)", 'state: String = "VA")'
    )
    assert changes(new) == [
        ("dangerous", "VALUE_ADDED_TO_ENUM", "LicenceClass.BUS"),
    ]
    new = BASE.replace("MOTORCYCLE", "MOTORCYCLE BUS")
    old = BASE.replace("state: String)", 'state: String = "VA")')
    assert changes(new.replace("state: String)", 'state: String = "MD")'), old) == [
        ("dangerous", "VALUE_ADDED_TO_ENUM", "LicenceClass.BUS"),
        ("dangerous", "ARG_DEFAULT_VALUE_CHANGE", "Query.licence(state:)"),
    ]


def test_deprecations_are_listed_with_reasons_and_marked_new() -> None:
    old = BASE.replace("expires: String", 'expires: String @deprecated(reason: "use validTo")')
    new = old.replace("TRUCK", 'TRUCK @deprecated(reason: "merged into CAR")')
    check = check_sdl(supergraph(old), supergraph(new))
    assert check.deprecations == (
        Deprecation("Licence.expires", "use validTo", new=False),
        Deprecation("LicenceClass.TRUCK", "merged into CAR", new=True),
    )
    assert check.ok


def test_table_lists_breaking_then_dangerous_then_deprecations() -> None:
    new = BASE.replace("  expires: String\n", "").replace(
        "MOTORCYCLE", 'MOTORCYCLE BUS @deprecated(reason: "pilot only")'
    )
    table = format_table(check_sdl(supergraph(BASE), supergraph(new)))
    assert table == (
        "SEVERITY   CHANGE               WHERE             DESCRIPTION\n"
        "--------   ------               -----             -----------\n"
        "breaking   FIELD_REMOVED        Licence.expires   Field Licence.expires was removed.\n"
        "dangerous  VALUE_ADDED_TO_ENUM  LicenceClass.BUS  Enum value LicenceClass.BUS was added.\n"
        "\n"
        "Deprecated elements:\n"
        "WHERE             STATUS  REASON\n"
        "-----             ------  ------\n"
        "LicenceClass.BUS  new     pilot only\n"
        "\n"
        "1 breaking, 1 dangerous, 0 safe changes; 1 deprecated elements.\n"
    )


def test_json_report_carries_the_verdict() -> None:
    report = to_json(check_sdl(supergraph(BASE), supergraph(BASE.replace("CAR ", ""))))
    assert report["ok"] is False
    assert report["changes"] == [
        {
            "severity": "breaking",
            "kind": "VALUE_REMOVED_FROM_ENUM",
            "coordinate": "LicenceClass.CAR",
            "description": "Enum value LicenceClass.CAR was removed.",
        }
    ]


def test_coordinates_for_type_level_changes() -> None:
    assert coordinate_of("Licence was removed.") == "Licence"
    assert coordinate_of("Licence changed from an Object type to an Interface type.") == "Licence"
    assert coordinate_of("Car was removed from union type Vehicle.") == "Vehicle"
    assert coordinate_of("Car no longer implements interface Node.") == "Car"
    assert coordinate_of("Directive @auth was removed.") == "@auth"
    assert coordinate_of("Argument @auth(scope:) was removed.") == "@auth(scope:)"


def test_operations_that_stop_validating_are_breaking() -> None:
    operations = [
        ("expiry", "{ licence(id: 1) { expires } }"),
        ("holder", "{ licence(id: 1) { holder } }"),
        ("already-broken", "{ nope }"),
    ]
    check = check_sdl(
        supergraph(BASE), supergraph(BASE.replace("  expires: String\n", "")), operations
    )
    assert [(c.kind, c.coordinate, c.description) for c in check.breaking] == [
        ("FIELD_REMOVED", "Licence.expires", "Field Licence.expires was removed."),
        (
            "OPERATION_BROKEN",
            "expiry",
            "Operation 'expiry' no longer validates: "
            "Cannot query field 'expires' on type 'Licence'.",
        ),
    ]
