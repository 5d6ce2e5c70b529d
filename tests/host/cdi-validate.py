#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""cdi-validate.py FILE... - check CDI specs field by field against the rules of CDI's
SPEC.md (cncf-tags/container-device-interface): the cdiVersion among the released ones,
kind VENDOR/CLASS with their characters, device names, unique, at least one device,
deviceNodes (absolute path, type b/c/u/p, integer major/minor/fileMode, permissions of
r, w, m), env "NAME=VALUE", no unknown members, and the fields and names each cdiVersion
allows (hostPath 0.5.0, annotations and a dot in the class 0.6.0, a name starting with a
digit 0.5.0...). Prints one line per problem; exit 0 valid, 1 invalid, 2 usage."""
import json
import re
import sys

VERSIONS = ["0.1.0", "0.2.0", "0.3.0", "0.4.0", "0.5.0", "0.6.0", "0.7.0", "0.8.0",
            "1.0.0", "1.1.0"]
NAME_MID = re.compile(r"^[A-Za-z0-9_.-]*$")


def vnum(v):
    return VERSIONS.index(v)


def check(doc):
    bad = []
    if not isinstance(doc, dict):
        return ["the spec is not a JSON object"]
    ver = doc.get("cdiVersion")
    if ver not in VERSIONS:
        return ["cdiVersion %r is not a released CDI version" % (ver,)]
    need = lambda what, v: vnum(ver) >= vnum(v) or bad.append(
        "%s needs cdiVersion %s, the spec has %s" % (what, v, ver))
    top = {"cdiVersion", "kind", "devices", "containerEdits", "annotations"}
    for k in doc:
        if k not in top:
            bad.append("unknown top-level member %r" % k)
    if "annotations" in doc:
        need("annotations", "0.6.0")
    kind = doc.get("kind")
    if not isinstance(kind, str) or kind.count("/") != 1:
        bad.append("kind %r is not VENDOR/CLASS" % (kind,))
    else:
        vendor, cls = kind.split("/")
        for what, s, dot, maxlen in (("vendor", vendor, True, 253), ("class", cls, None, 63)):
            if not s or not s[0].isascii() or not s[0].isalpha() or not s[-1].isascii() \
                    or not s[-1].isalnum() or not NAME_MID.match(s) or len(s) > maxlen:
                bad.append("kind's %s %r breaks CDI's name rules" % (what, s))
        if "." in cls:
            need("a dot in the class", "0.6.0")
    devs = doc.get("devices")
    if not isinstance(devs, list) or not devs:
        bad.append("devices is not a non-empty array")
        devs = []
    seen = set()
    for i, d in enumerate(devs):
        where = "devices[%d]" % i
        if not isinstance(d, dict):
            bad.append(where + " is not an object")
            continue
        for k in d:
            if k not in ("name", "containerEdits", "annotations"):
                bad.append("%s: unknown member %r" % (where, k))
        if "annotations" in d:
            need(where + " annotations", "0.6.0")
        n = d.get("name")
        if not isinstance(n, str) or not n or not n[0].isascii() or not n[0].isalnum() \
                or not n[-1].isascii() or not n[-1].isalnum() or \
                not re.match(r"^[A-Za-z0-9_.:-]*$", n):
            bad.append("%s: name %r breaks CDI's device name rules" % (where, n))
        else:
            if n[0].isdigit():
                need("%s: a name starting with a digit" % where, "0.5.0")
            if n in seen:
                bad.append("%s: name %r twice" % (where, n))
            seen.add(n)
        bad += edits(d.get("containerEdits"), where + ".containerEdits", need)
    if "containerEdits" in doc:
        bad += edits(doc["containerEdits"], "containerEdits", need)
    return bad


def isint(v):
    return isinstance(v, int) and not isinstance(v, bool)


def edits(e, where, need):
    bad = []
    if not isinstance(e, dict) or not any(e.get(k) for k in e):
        return [where + " is missing or empty (CDI refuses a device without edits)"]
    allowed = {"env": None, "deviceNodes": None, "mounts": None, "hooks": None,
               "intelRdt": "0.7.0", "additionalGids": "0.7.0", "netDevices": "1.1.0"}
    for k in e:
        if k not in allowed:
            bad.append("%s: unknown member %r" % (where, k))
        elif allowed[k]:
            need("%s.%s" % (where, k), allowed[k])
    env = e.get("env", [])
    if not isinstance(env, list):
        bad.append(where + ".env is not an array")
        env = []
    for j, v in enumerate(env):
        if not isinstance(v, str) or v.find("=") <= 0:
            bad.append("%s.env[%d] %r is not NAME=VALUE" % (where, j, v))
    nodes = e.get("deviceNodes", [])
    if not isinstance(nodes, list):
        return bad + [where + ".deviceNodes is not an array"]
    keys = {"path", "hostPath", "type", "major", "minor", "fileMode", "permissions",
            "uid", "gid"}
    for j, dn in enumerate(nodes):
        w = "%s.deviceNodes[%d]" % (where, j)
        if not isinstance(dn, dict):
            bad.append(w + " is not an object")
            continue
        for k in dn:
            if k not in keys:
                bad.append("%s: unknown member %r" % (w, k))
        if "hostPath" in dn:
            need(w + " hostPath", "0.5.0")
        p = dn.get("path")
        if not isinstance(p, str) or not p.startswith("/"):
            bad.append("%s: path %r is not absolute" % (w, p))
        if dn.get("type", "") not in ("", "b", "c", "u", "p"):
            bad.append("%s: type %r is none of b, c, u, p" % (w, dn.get("type")))
        for k in ("major", "minor", "fileMode", "uid", "gid"):
            if k in dn and (not isint(dn[k]) or dn[k] < 0):
                bad.append("%s: %s %r is not a non-negative integer" % (w, k, dn[k]))
        perm = dn.get("permissions", "")
        if not isinstance(perm, str) or perm.strip("rwm") != "":
            bad.append("%s: permissions %r are not of r, w, m" % (w, perm))
    return bad


def main(argv):
    if len(argv) < 2:
        print("usage: cdi-validate.py FILE...", file=sys.stderr)
        return 2
    rc = 0
    for f in argv[1:]:
        try:
            with open(f) as fh:
                doc = json.load(fh)
        except (OSError, ValueError) as e:
            print("%s: %s" % (f, e))
            rc = 1
            continue
        bad = check(doc)
        for b in bad:
            print("%s: %s" % (f, b))
        if bad:
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
