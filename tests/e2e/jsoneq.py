# SPDX-License-Identifier: ISC
# jsoneq.py EXPECTED ACTUAL - compare a JSON list of documents with a
# stream of JSON documents, types included (7 is not 7.0, "7" is not 7).
# Exit 0 if equal; prints the first difference otherwise.
import json
import sys


def docs(text):
    dec, i, out = json.JSONDecoder(), 0, []
    while True:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        if i >= len(text):
            return out
        v, i = dec.raw_decode(text, i)
        out.append(v)


def same(a, b, path):
    if type(a) is not type(b):
        return "%s: type %s != %s" % (path, type(a).__name__, type(b).__name__)
    if isinstance(a, dict):
        if list(a.keys()) != list(b.keys()):
            return "%s: keys %s != %s" % (path, list(a), list(b))
        for k in a:
            d = same(a[k], b[k], path + "." + k)
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: length %d != %d" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = same(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    return None if a == b else "%s: value differs" % path


exp = json.load(open(sys.argv[1]))
act = docs(open(sys.argv[2]).read())
d = same(exp, act, "$")
if d:
    print(d)
    sys.exit(1)
