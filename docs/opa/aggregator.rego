# Decisions for the gateway's @policy directives (docs/security.md, "Policy engines").
#
# The gateway POSTs {"input": {...}} to /v1/data/aggregator/policies once per operation
# and reads {"result": {"<policy>": true, ...}}: a policy that is absent or not exactly
# true is denied. The input carries the caller (subject, issuer, agency, purpose, scopes,
# claims), the operation (name, type), the protected fields (coordinate, arguments,
# policies) and the list of policies to decide.
#
# tests/security/opa.py implements these same rules in Python for the test suite.
package aggregator.policies

# Only the billing agency may read card numbers, and at most their last 4 digits.
read_credit_card if {
	input.agency == "billing"
	every field in card_fields {
		object.get(field.arguments, "last", 4) <= 4
	}
}

card_fields contains field if {
	some field in input.fields
	field.coordinate == "User.creditCard"
}

member if input.claims.membership == "active"

staff if "staff" in input.claims.roles

loyalty_desk if input.purpose == "loyalty"
