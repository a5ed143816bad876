"""``aggregator import-openapi``: an OpenAPI 3 document -> connector SDL.

A starting point for a schema author, not a black box: GET operations become
``Query`` fields, other methods ``Mutation`` fields (JSON request body as an
``input`` argument), component schemas become types, and a type that has a
``GET /things/{id}`` operation becomes an entity (``@key`` + ``@rest``) that
other agencies can extend. JSON property names are kept when they are valid
GraphQL names (so request bodies round-trip); others are sanitised and mapped
back with ``@from``. ``oneOf``/``anyOf`` and free-form objects become the
``JSON`` scalar.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["OpenAPIImportError", "import_openapi", "import_openapi_file"]

_NAME_OK = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")
_METHODS = ("get", "post", "put", "patch", "delete")
_SCALARS = {"string": "String", "integer": "Int", "number": "Float", "boolean": "Boolean"}


class OpenAPIImportError(ValueError):
    """The document is not an OpenAPI 3 document this importer understands."""


def _name(text: str, *, type_name: bool = False) -> str:
    words = [w for w in re.split(r"[^0-9A-Za-z]+", text) if w]
    if not words:
        return "_"
    if type_name:
        out = "".join(w[0].upper() + w[1:] for w in words)
    elif _NAME_OK.match(text):
        return text
    else:
        out = words[0][0].lower() + words[0][1:] + "".join(w[0].upper() + w[1:] for w in words[1:])
    return out if _NAME_OK.match(out) else "_" + out


def _string(text: str) -> str:
    return json.dumps(text)


@dataclass
class _Field:
    name: str
    type: str
    source: str | None = None  # original JSON property when renamed
    description: str | None = None


@dataclass
class _Builder:
    document: dict[str, Any]
    name: str
    types: dict[str, list[_Field]] = field(default_factory=dict)
    inputs: dict[str, list[_Field]] = field(default_factory=dict)
    enums: dict[str, list[str]] = field(default_factory=dict)
    uses_json: bool = False
    entities: dict[str, tuple[str, str]] = field(default_factory=dict)  # type -> (key, path)

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        seen = 0
        while "$ref" in schema and seen < 20:
            schema = self._ref(schema["$ref"])
            seen += 1
        return schema

    def _ref(self, ref: str) -> dict[str, Any]:
        if not ref.startswith("#/"):
            raise OpenAPIImportError(f"only local $ref is supported, got {ref}")
        node: Any = self.document
        for part in ref[2:].split("/"):
            node = node.get(part.replace("~1", "/").replace("~0", "~"), {})
        return node if isinstance(node, dict) else {}

    def _properties(self, schema: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
        schema = self.resolve(schema)
        props: dict[str, Any] = dict(schema.get("properties") or {})
        required = set(schema.get("required") or ())
        for part in schema.get("allOf") or ():
            more, more_required = self._properties(part)
            props.update(more)
            required |= more_required
        return props, required

    def type_ref(self, schema: dict[str, Any] | None, hint: str, *, is_input: bool) -> str:
        """The GraphQL type (without the outer ``!``) for ``schema``."""
        if not schema:
            self.uses_json = True
            return "JSON"
        if "$ref" in schema:
            target = self.resolve(schema)
            ref_name = _name(schema["$ref"].rsplit("/", 1)[-1], type_name=True)
            if _is_object(target):
                return self.object_type(target, ref_name, is_input=is_input)
            return self.type_ref(target, ref_name, is_input=is_input)
        if schema.get("oneOf") or schema.get("anyOf"):
            self.uses_json = True
            return "JSON"
        kind = schema.get("type")
        if isinstance(kind, list):  # OpenAPI 3.1: ["string", "null"]
            kind = next((k for k in kind if k != "null"), None)
        if kind == "array":
            item = self.type_ref(schema.get("items"), hint + "Item", is_input=is_input)
            return f"[{item}!]"
        if _is_object(schema):
            return self.object_type(schema, hint, is_input=is_input)
        if kind == "string" and schema.get("enum") and not is_input:
            values = [str(v) for v in schema["enum"]]
            if all(_NAME_OK.match(v) and v not in {"true", "false", "null"} for v in values):
                enum_name = _name(hint, type_name=True)
                self.enums.setdefault(enum_name, values)
                return enum_name
        if kind == "string" and schema.get("format") in {"uuid"}:
            return "ID"
        if kind in _SCALARS:
            return _SCALARS[kind]
        self.uses_json = True
        return "JSON"

    def object_type(self, schema: dict[str, Any], hint: str, *, is_input: bool) -> str:
        props, required = self._properties(schema)
        if not props:
            self.uses_json = True
            return "JSON"
        type_name = _name(hint, type_name=True) + ("Input" if is_input else "")
        registry = self.inputs if is_input else self.types
        if type_name in registry:
            return type_name
        registry[type_name] = []  # reserve the name first: schemas may be recursive
        fields: list[_Field] = []
        for prop, prop_schema in props.items():
            graphql_name = _name(prop)
            inner = self.type_ref(
                prop_schema, hint + prop[:1].upper() + prop[1:], is_input=is_input
            )
            if prop in required:
                inner += "!"
            description = self.resolve(prop_schema).get("description") if prop_schema else None
            fields.append(
                _Field(graphql_name, inner, None if graphql_name == prop else prop, description)
            )
        registry[type_name] = fields
        return type_name


def _is_object(schema: dict[str, Any]) -> bool:
    return bool(schema.get("properties") or schema.get("allOf")) or (
        schema.get("type") == "object" and bool(schema.get("properties"))
    )


def _response_schema(builder: _Builder, operation: dict[str, Any]) -> dict[str, Any] | None:
    """The success body's schema; None when the API does not describe it (a JSON value)."""
    responses = operation.get("responses") or {}
    success = [code for code in responses if str(code).startswith("2")]
    # "default" usually describes the error body: use it only when no 2xx is declared.
    for code in success or ["default"]:
        response = responses.get(code)
        if not isinstance(response, dict):
            continue
        content = builder.resolve(response).get("content") or {}
        for media, body in content.items():
            if "json" in str(media):
                schema = body.get("schema") if isinstance(body, dict) else None
                return schema if isinstance(schema, dict) and schema else None
    return None


def _forward_headers(builder: _Builder) -> list[str]:
    """Request headers that carry the API's credentials, from its security schemes.

    ``http`` (bearer, basic), ``oauth2`` and ``openIdConnect`` use ``Authorization``; an
    ``apiKey`` in a header uses that header. An API key in the query string or a cookie
    cannot be forwarded from the client's headers and is left to the schema author.
    """
    schemes = (builder.document.get("components") or {}).get("securitySchemes") or {}
    headers: list[str] = []
    for raw in schemes.values():
        scheme = builder.resolve(raw) if isinstance(raw, dict) else {}
        kind = scheme.get("type")
        if kind in ("http", "oauth2", "openIdConnect"):
            name = "Authorization"
        elif kind == "apiKey" and scheme.get("in") == "header" and scheme.get("name"):
            name = str(scheme["name"])
        else:
            continue
        if name.lower() not in (h.lower() for h in headers):
            headers.append(name)
    return headers


def _body_template(fields: list[_Field] | None) -> str:
    """``$args.input``, or a JSON template when field names had to be sanitised."""
    if not fields or not any(f.source for f in fields):
        return "$args.input"
    return json.dumps({(f.source or f.name): f"$args.input.{f.name}" for f in fields})


def _operation_name(method: str, path: str, operation: dict[str, Any]) -> str:
    if operation.get("operationId"):
        return _name(str(operation["operationId"]))
    words = [w for w in re.split(r"[/{}]+", path) if w]
    return _name(method + " " + " ".join(words))


def import_openapi(document: dict[str, Any], *, name: str) -> str:
    """Connector SDL for ``document`` (a parsed OpenAPI 3 document)."""
    version = str(document.get("openapi", ""))
    if not version.startswith("3"):
        raise OpenAPIImportError("not an OpenAPI 3 document (no 'openapi: 3.x' field)")
    builder = _Builder(document, name)
    source = _name(name)
    servers = document.get("servers") or [{"url": "http://localhost"}]
    base_url = str(servers[0].get("url", "http://localhost")).rstrip("/")
    forward = _forward_headers(builder)
    query_fields: list[str] = []
    mutation_fields: list[str] = []
    lookups: list[tuple[str, str, str]] = []  # (type, param, path)
    for path, item in (document.get("paths") or {}).items():
        shared = item.get("parameters") or []
        for method in _METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            op_name = _operation_name(method, path, operation)
            args: list[str] = []
            query: list[str] = []
            rendered_path = path
            path_params: list[str] = []
            for raw_param in [*shared, *(operation.get("parameters") or [])]:
                param = builder.resolve(raw_param)
                where, pname = param.get("in"), str(param.get("name", ""))
                if where not in {"path", "query"} or not pname:
                    continue
                arg = _name(pname)
                arg_type = builder.type_ref(
                    param.get("schema"), op_name + "_" + pname, is_input=True
                )
                if where == "path":
                    rendered_path = rendered_path.replace("{" + pname + "}", "{$args." + arg + "}")
                    path_params.append(pname)
                    args.append(f"{arg}: {arg_type}!")
                else:
                    args.append(f"{arg}: {arg_type}{'!' if param.get('required') else ''}")
                    query.append(f"{pname}={{$args.{arg}}}")
            body_arg = None
            request = (operation.get("requestBody") or {}).get("content") or {}
            for media, body in request.items():
                if (
                    "json" in str(media)
                    and isinstance(body, dict)
                    and isinstance(body.get("schema"), dict)
                ):
                    body_type = builder.type_ref(body["schema"], op_name + "Body", is_input=True)
                    required = "!" if operation.get("requestBody", {}).get("required") else ""
                    args.append(f"input: {body_type}{required}")
                    body_arg = _body_template(builder.inputs.get(body_type))
                    break
            # no schema (or no body) described: the answer is passed on as a JSON value
            response = _response_schema(builder, operation)
            returns = builder.type_ref(response, op_name + "Result", is_input=False)
            directive = [f'source: "{source}"']
            if method != "get":
                directive.append(f'method: "{method.upper()}"')
            directive.append(f"path: {_string(rendered_path)}")
            if query:
                directive.append("query: [" + ", ".join(_string(q) for q in query) + "]")
            if body_arg:
                directive.append(f"body: {_string(body_arg)}")
            description = operation.get("summary") or operation.get("description")
            doc = f"  {_string(str(description).strip())}\n" if description else ""
            arg_text = f"({', '.join(args)})" if args else ""
            line = f"{doc}  {op_name}{arg_text}: {returns} @rest({', '.join(directive)})"
            (query_fields if method == "get" else mutation_fields).append(line)
            if method == "get" and len(path_params) == 1 and returns in builder.types:
                lookups.append((returns, path_params[0], path))
    for type_name, key_param, lookup_path in lookups:
        field_names = {f.source or f.name: f.name for f in builder.types[type_name]}
        key = field_names.get(key_param) or field_names.get("id")
        if key and type_name not in builder.entities:
            lookup = lookup_path.replace("{" + key_param + "}", "{$this." + key + "}")
            builder.entities[type_name] = (key, lookup)
    return _print(
        builder, source, base_url, forward, queries=query_fields, mutations=mutation_fields
    )


def _print(
    builder: _Builder,
    source: str,
    base_url: str,
    forward_headers: list[str],
    *,
    queries: list[str],
    mutations: list[str],
) -> str:
    imports = '["@key"]'
    forward = (
        f", forwardHeaders: [{', '.join(_string(h) for h in forward_headers)}]"
        if forward_headers
        else ""
    )
    out = [
        f"# Generated by `aggregator import-openapi --name {builder.name}`; edit freely.",
        "extend schema",
        f'  @link(url: "https://specs.apollo.dev/federation/v2.5", import: {imports})',
        f"  @source(name: {_string(source)}, baseURL: {_string(base_url)}{forward})",
        "",
    ]
    if builder.uses_json:
        out += ['"Arbitrary JSON the API does not describe further."', "scalar JSON", ""]
    if queries:
        out += ["type Query {", *queries, "}", ""]
    if mutations:
        out += ["type Mutation {", *mutations, "}", ""]
    for type_name, fields in builder.types.items():
        header = f"type {type_name}"
        if type_name in builder.entities:
            key, path = builder.entities[type_name]
            header += f' @key(fields: "{key}") @rest(source: "{source}", path: {_string(path)})'
        out.append(header + " {")
        out += _print_fields(fields, directives=True)
        out += ["}", ""]
    for type_name, fields in builder.inputs.items():
        out.append(f"input {type_name} {{")
        out += _print_fields(fields, directives=False)
        out += ["}", ""]
    for enum_name, values in builder.enums.items():
        out += [f"enum {enum_name} {{", *(f"  {v}" for v in values), "}", ""]
    return "\n".join(out).rstrip() + "\n"


def _print_fields(fields: list[_Field], *, directives: bool) -> list[str]:
    lines: list[str] = []
    for item in fields:
        if item.description:
            lines.append(f"  {_string(str(item.description).strip())}")
        suffix = f" @from(path: {_string(item.source)})" if item.source and directives else ""
        lines.append(f"  {item.name}: {item.type}{suffix}")
    return lines


def import_openapi_file(path: str, *, name: str, output: str | None = None) -> int:
    """CLI entry: read YAML or JSON, print or write the SDL; 2 with one line on bad input."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        return _fail(f"cannot read {path}: {error.strerror or error}")
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else path
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        return _fail(f"{where}: not valid YAML or JSON: {problem}")
    try:
        if not isinstance(document, dict):
            raise OpenAPIImportError("the file does not hold an OpenAPI object")
        sdl = import_openapi(document, name=name)
    except OpenAPIImportError as error:
        return _fail(f"{path}: {error}")
    if output:
        try:
            Path(output).write_text(sdl, encoding="utf-8")
        except OSError as error:
            return _fail(f"cannot write {output}: {error.strerror or error}")
    else:
        sys.stdout.write(sdl)
    return 0


def _fail(message: str) -> int:
    print(f"import-openapi: {message}", file=sys.stderr)
    return 2
