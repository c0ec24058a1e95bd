"""Checks swdbackup's JSON against the schemas it installs (schema/*.schema.json, draft
2020-12): the --json documents against report.schema.json and bundle manifests against
manifest.schema.json. Used by run.py after every step (so every case's output is checked
without a word in the case) and by tests/schema/test-schema.py."""

import json
import os

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "schema")

# Records the two schemas share: each must be the same in both files.
SHARED_DEFS = ("address", "hex_id", "sha256", "md5", "utc_time", "unit", "rdp_level", "region",
               "protection", "map_region")


class SchemaError(Exception):
    pass


def _validator(name):
    try:
        import jsonschema
    except ImportError:
        raise SchemaError("python3-jsonschema is not installed; run scripts/setup.sh")
    with open(os.path.join(SCHEMA_DIR, name)) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


_cache = {}


def validator(name):
    if name not in _cache:
        _cache[name] = _validator(name)
    return _cache[name]


def errors(name, doc):
    """Every way doc breaks schema `name`, one line each ("$.path: message")."""
    v = validator(name)
    return [f"{e.json_path}: {e.message}" for e in sorted(v.iter_errors(doc), key=lambda e: e.json_path)]


def check(name, text, what):
    """text, which `what` names in messages, must be one JSON document valid against schema
    `name`. Returns the document; raises SchemaError."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise SchemaError(f"{what} is not one JSON document: {e}")
    bad = errors(name, doc)
    if bad:
        raise SchemaError(f"{what} breaks {name}:\n  " + "\n  ".join(bad[:20]))
    return doc


def check_report(text):
    """stdout of `swdbackup ... --json`."""
    return check("report.schema.json", text, "--json output")


def check_manifest(path):
    with open(path) as f:
        return check("manifest.schema.json", f.read(), f"'{path}'")


def shared_defs_differ():
    """Names of the shared records whose definitions differ between the two schemas."""
    with open(os.path.join(SCHEMA_DIR, "report.schema.json")) as f:
        a = json.load(f)["$defs"]
    with open(os.path.join(SCHEMA_DIR, "manifest.schema.json")) as f:
        b = json.load(f)["$defs"]
    return [k for k in SHARED_DEFS if a.get(k) is None or a.get(k) != b.get(k)]
