// SPDX-License-Identifier: ISC
// gen.mjs DIR N - write N generated plaintext documents (YAML Kubernetes
// Secrets with data/stringData, YAML/JSON trees with nested maps, lists,
// ints, floats, bools and comments, dotenv files) into DIR, each with
// DIR/<name>.expected.json holding the values a decryptor must return.
// Deterministic (seeded PRNG) so a failure can be reproduced.
import { writeFileSync } from "node:fs";

const dir = process.argv[2];
const n = Number(process.argv[3] || 120);
let seed = Number(process.argv[4] || 1234567);
function rnd() {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
const pick = (a) => a[Math.floor(rnd() * a.length)];
const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
const words = ["alpha", "beta", "gamma", "db", "api", "token", "user",
  "host", "port", "cfg", "x", "nested", "list", "value"];
const strs = ["hunter2", "p@ss w0rd", "a:b:c", "quote\"inside", "üñíçødé",
  "multi\nline\ntext", "  padded  ", "#not-a-comment", "123", "true",
  "null", "ENCish[x]", "tab\there", "back\\slash", "é", "{braces}",
  "[brackets]", "- dash", "x".repeat(300)];
const floats = [0.5, 3.25, -7.75, 12.125, 1000.5, 0.001, 2.5e-7, 6.02e23];

function key() { return pick(words) + int(0, 999); }

function scalar(depth) {
  switch (int(0, 5)) {
  case 0: return int(-100000, 100000);
  case 1: return pick(floats);
  case 2: return rnd() < 0.5;
  default: return pick(strs);
  }
}

function tree(depth) {
  const o = {};
  const k = int(1, 5);
  for (let i = 0; i < k; i++) {
    let kk = key();
    while (kk in o) kk = key();
    const r = rnd();
    if (depth < 3 && r < 0.25) o[kk] = tree(depth + 1);
    else if (depth < 3 && r < 0.4) {
      const l = [];
      const m = int(1, 4);
      for (let j = 0; j < m; j++)
        l.push(depth < 2 && rnd() < 0.3 ? tree(depth + 1) : scalar(depth));
      o[kk] = l;
    } else o[kk] = scalar(depth);
  }
  return o;
}

// YAML writer: block style, strings as JSON (valid YAML double-quoted),
// comments sprinkled before keys.
function yscalar(v) {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" && !Number.isInteger(v)) {
    const s = String(v);
    return /[.eE]/.test(s) ? s : s + ".0";
  }
  return String(v);
}
function yaml(o, ind) {
  let out = "";
  const pad = " ".repeat(ind);
  for (const [k, v] of Object.entries(o)) {
    if (rnd() < 0.2) out += `${pad}# comment about ${k}\n`;
    if (Array.isArray(v)) {
      out += `${pad}${k}:\n`;
      for (const e of v) {
        if (typeof e === "object") {
          const inner = yaml(e, ind + 4).replace(/^ +/, "");
          out += `${pad}  - ${inner}`;
        } else out += `${pad}  - ${yscalar(e)}\n`;
      }
    } else if (typeof v === "object") {
      out += `${pad}${k}:\n` + yaml(v, ind + 2);
    } else out += `${pad}${k}: ${yscalar(v)}\n`;
  }
  return out;
}

function secret(i) {
  const data = {}, sd = {};
  for (let j = 0; j < int(1, 4); j++)
    data[key()] = Buffer.from(pick(strs)).toString("base64");
  for (let j = 0; j < int(1, 4); j++) sd[key()] = pick(strs);
  return { apiVersion: "v1", kind: "Secret",
    metadata: { name: `s${i}`, namespace: pick(["prod", "dev"]) },
    type: "Opaque", data, stringData: sd };
}

const envsafe = ["hunter2", "p@ss-w0rd", "a:b:c", "x.y/z", "12345",
  "multi\nline", "üñí", "with space"];
for (let i = 0; i < n; i++) {
  let name, text, exp;
  const kind = i % 6;
  if (kind === 0 || kind === 1) {
    exp = secret(i);
    name = `secret-${i}.yaml`;
    text = "# a Kubernetes Secret\n" + yaml(exp, 0);
  } else if (kind === 2 || kind === 3) {
    exp = tree(0);
    name = `tree-${i}.yaml`;
    text = yaml(exp, 0);
  } else if (kind === 4) {
    exp = i % 12 === 4 ? secret(i) : tree(0);
    name = `doc-${i}.json`;
    text = JSON.stringify(exp, null, 2) + "\n";
  } else {
    exp = {};
    text = "# generated\n";
    for (let j = 0; j < int(1, 6); j++) {
      const k = (pick(words) + "_" + j).toUpperCase();
      exp[k] = pick(envsafe);
      text += `${k}=${exp[k].replace(/\n/g, "\\n")}\n`;
    }
    name = `env-${i}.env`;
  }
  writeFileSync(`${dir}/${name}`, text);
  writeFileSync(`${dir}/${name}.expected.json`, JSON.stringify(exp));
}
