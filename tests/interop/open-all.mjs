// SPDX-License-Identifier: ISC
// open-all.mjs PEERS_DIR KEYFILE EXPECT_DIR FILE... - try to decrypt each
// sealed YAML file with the npm sops-age package (an independent
// implementation) and the one age key in KEYFILE alone; for every file
// that opens, its stringData must equal EXPECT_DIR/<FILE>.json. Prints
// "opened N/M, values ok K" (and one line per wrong value); exit 0 unless
// a value was wrong or a file was unreadable. Whether N is all or none
// is for the caller to check.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const [peers, keyfile, expect, ...files] = process.argv.slice(2);
const require = createRequire(`${peers}/package.json`);
const { decryptSops } = require("sops-age");
const secretKey = readFileSync(keyfile, "utf8").split("\n")
  .find((l) => l.startsWith("AGE-SECRET-KEY-"));

let opened = 0, ok = 0, failed = 0;
for (const f of files) {
  const text = readFileSync(f, "utf8");
  let got;
  try {
    got = await decryptSops(text, { secretKey, fileType: "yaml" });
  } catch (e) {
    continue; // does not open with this key
  }
  opened++;
  const want = JSON.parse(readFileSync(`${expect}/${f}.json`, "utf8"));
  if (JSON.stringify(got.stringData) === JSON.stringify(want)) ok++;
  else { console.log(`not ok - ${f}: values differ`); failed++; }
}
console.log(`opened ${opened}/${files.length}, values ok ${ok}`);
process.exit(failed ? 1 : 0);
