// SPDX-License-Identifier: ISC
// check.mjs PEERS_DIR SEALED_DIR PLAIN_DIR KEYFILE - decrypt every sealed
// file with the npm sops-age package (an independent implementation) and
// compare with PLAIN_DIR/<name>.expected.json; for JSON outputs also
// unwrap each sops.age[].enc with Debian's age CLI and check that the
// data key is 32 bytes. Prints one line per failure and a summary
// "decrypted N/M, age-unwrapped K/L"; exit 1 on any failure.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

const [peers, sealed, plain, keyfile] = process.argv.slice(2);
const require = createRequire(`${peers}/package.json`);
const { decryptSops } = require("sops-age");
const secretKey = readFileSync(keyfile, "utf8").split("\n")
  .find((l) => l.startsWith("AGE-SECRET-KEY-"));

function same(a, b, path) {
  if (typeof a !== typeof b) return `${path}: ${typeof a} != ${typeof b}`;
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: list/map`;
  if (a !== null && typeof a === "object") {
    const ka = Object.keys(a), kb = Object.keys(b);
    if (ka.join("\0") !== kb.join("\0"))
      return `${path}: keys [${ka}] != [${kb}]`;
    for (const k of ka) {
      const d = same(a[k], b[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return Object.is(a, b) ? null : `${path}: value differs`;
}

let ok = 0, total = 0, aok = 0, atotal = 0, failed = 0;
for (const f of readdirSync(plain).sort()) {
  if (!f.endsWith(".expected.json")) continue;
  const name = f.slice(0, -".expected.json".length);
  const exp = JSON.parse(readFileSync(`${plain}/${f}`, "utf8"));
  const text = readFileSync(`${sealed}/${name}`, "utf8");
  const fileType = name.endsWith(".env") ? "env" :
    name.endsWith(".json") ? "json" : "yaml";
  total++;
  try {
    const got = await decryptSops(text, { secretKey, fileType });
    const d = same(exp, got, "$");
    if (d) { console.log(`not ok - ${name}: ${d}`); failed++; }
    else ok++;
  } catch (e) {
    console.log(`not ok - ${name}: sops-age: ${e.message}`);
    failed++;
  }
  if (fileType === "json") {
    for (const a of JSON.parse(text).sops.age) {
      atotal++;
      writeFileSync(`${sealed}/.enc`, a.enc);
      try {
        const out = execFileSync("age", ["-d", "-i", keyfile,
          `${sealed}/.enc`]);
        if (out.length === 32) aok++;
        else { console.log(`not ok - ${name}: data key is ${out.length} bytes`); failed++; }
      } catch (e) {
        console.log(`not ok - ${name}: age -d failed`); failed++;
      }
    }
  }
}
console.log(`decrypted ${ok}/${total}, age-unwrapped ${aok}/${atotal}`);
process.exit(failed || ok !== total || aok !== atotal ? 1 : 0);
