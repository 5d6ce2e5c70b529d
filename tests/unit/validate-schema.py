#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""validate-schema.py - JSON documents of vfioctl against man/schemas (test-schemas.sh).

  validate-schema.py --meta SCHEMA...      each schema is valid draft 2020-12
  validate-schema.py SCHEMA DOC [--lines]  DOC (one document, or one per line) is valid
                                           and its "schema" member names SCHEMA's file

Exit 0 valid, 1 not (the reasons on stdout), 2 usage.
"""
import json
import os
import sys

import jsonschema


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def check_doc(schema_path, schema, doc):
    errs = [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in jsonschema.Draft202012Validator(schema).iter_errors(doc)]
    name = os.path.basename(schema_path)[: -len(".schema.json")]
    if "schema" in schema.get("properties", {}):
        if not isinstance(doc, dict) or next(iter(doc), None) != "schema":
            errs.append('"schema" is not the first member')
        elif doc["schema"] != f"vfioctl/{name}/1":
            errs.append(f'"schema" is {doc["schema"]!r}, not the name of {name}.schema.json')
    return errs


def main(argv):
    if len(argv) >= 2 and argv[0] == "--meta":
        bad = 0
        for p in argv[1:]:
            s = load(p)
            try:
                jsonschema.Draft202012Validator.check_schema(s)
            except jsonschema.SchemaError as e:
                print(f"{p}: {e.message}")
                bad = 1
            name = os.path.basename(p)[: -len(".schema.json")]
            if s.get("$id") != f"https://vfioctl.io/schemas/{name}/1":
                print(f"{p}: $id {s.get('$id')!r} does not name the file")
                bad = 1
        return bad
    if len(argv) not in (2, 3) or (len(argv) == 3 and argv[2] != "--lines"):
        print(__doc__)
        return 2
    schema = load(argv[0])
    with open(argv[1], encoding="utf-8") as f:
        text = f.read()
    docs = [json.loads(l) for l in text.splitlines() if l.strip()] if len(argv) == 3 \
        else [json.loads(text)]
    if not docs:
        print("no document")
        return 1
    errs = [e for d in docs for e in check_doc(argv[0], schema, d)]
    for e in errs[:10]:
        print(e)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
