#!/usr/bin/python3
# SPDX-License-Identifier: ISC
# image-root.py CONTAINERFILE SRCDIR ROOT [STAGE=FILE]... - lay out in ROOT
# the file system of the final stage of CONTAINERFILE, without a container
# runtime: each COPY of the final stage copies its source into ROOT (from
# SRCDIR for a plain COPY; for COPY --from=STAGE, the file given as
# STAGE=FILE on the command line, a stage left out is reported and
# skipped), and each WORKDIR is created. The final stage must start FROM
# scratch, so ROOT holds exactly what the image would.
#
# Prints shell assignments for what the stage sets: IMG_ENV (NAME=VALUE
# words), IMG_USER, IMG_WORKDIR and IMG_ENTRYPOINT (words), and
# IMG_SKIPPED (stages whose files were left out). Exit 2 on anything it
# cannot follow (RUN or ADD in the final stage, an unknown instruction).
import json
import os
import shlex
import shutil
import sys


def logical_lines(path):
    out, cur = [], ""
    for line in open(path):
        line = line.rstrip("\n")
        if not cur and line.lstrip().startswith("#"):
            continue
        if line.endswith("\\"):
            cur += line[:-1] + " "
            continue
        cur += line
        if cur.strip():
            out.append(cur.strip())
        cur = ""
    return out


def main(argv):
    if len(argv) < 4:
        sys.stderr.write("usage: image-root.py CONTAINERFILE SRCDIR ROOT [STAGE=FILE]...\n")
        return 2
    cf, src, root = argv[1], argv[2], argv[3]
    given = dict(a.split("=", 1) for a in argv[4:])
    lines = logical_lines(cf)
    starts = [i for i, l in enumerate(lines) if l.split()[0].upper() == "FROM"]
    final = lines[starts[-1]:]
    if final[0].split()[1] != "scratch":
        sys.stderr.write("image-root: the final stage is not FROM scratch\n")
        return 2
    env, user, workdir, entry, skipped = [], "0", "/", [], []
    os.makedirs(root, exist_ok=True)
    for l in final[1:]:
        word, rest = l.split(None, 1)
        word = word.upper()
        if word == "COPY":
            args = shlex.split(rest)
            frm = [a for a in args if a.startswith("--from=")]
            args = [a for a in args if not a.startswith("--")]
            s, d = args[0], args[1]
            if frm:
                stage = frm[0][len("--from="):]
                if stage not in given:
                    skipped.append(stage)
                    continue
                s = given[stage]
            else:
                s = os.path.join(src, s)
            dst = os.path.join(root, d.lstrip("/"))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(s, dst)
        elif word == "ENV":
            env += shlex.split(rest)
        elif word == "USER":
            user = rest.strip()
        elif word == "WORKDIR":
            workdir = rest.strip()
            os.makedirs(os.path.join(root, workdir.lstrip("/")), exist_ok=True)
        elif word == "ENTRYPOINT":
            entry = json.loads(rest)
        elif word in ("ARG", "LABEL", "EXPOSE", "STOPSIGNAL"):
            pass
        else:
            sys.stderr.write("image-root: cannot follow %s in the final stage\n" % word)
            return 2
    q = lambda v: shlex.quote(v)
    print("IMG_ENV=(%s)" % " ".join(q(e) for e in env))
    print("IMG_USER=%s" % q(user))
    print("IMG_WORKDIR=%s" % q(workdir))
    print("IMG_ENTRYPOINT=(%s)" % " ".join(q(e) for e in entry))
    print("IMG_SKIPPED=%s" % q(" ".join(skipped)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
