// Validates OSCAL catalog JSON documents against NIST's OSCAL catalog JSON schema.
//
//   node validate.mjs SCHEMA DOCUMENT...
//
// The schema is draft-07 with Unicode property escapes in its patterns (TokenDatatype is
// ^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$), so the regular expressions must be compiled with the
// `u` flag: Ajv's unicodeRegExp (on by default, set here so nobody turns it off). NIST's own
// CI validates with Ajv and ajv-formats in the same way. Nothing is fetched: the schema is a
// file on disk and has no remote $ref.
//
// Prints one line per problem and "N passed, N failed" at the end; exits 1 when any
// document is invalid, 2 on a usage or I/O error.
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import addFormats from "ajv-formats";

const [schemaPath, ...documents] = process.argv.slice(2);
if (!schemaPath || documents.length === 0) {
  console.error("usage: node validate.mjs SCHEMA DOCUMENT...");
  process.exit(2);
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    console.error(`${path}: ${e.message}`);
    process.exit(2);
  }
}

const ajv = new Ajv({ allErrors: true, unicodeRegExp: true });
addFormats(ajv);
const validate = ajv.compile(readJson(schemaPath));

let passed = 0;
let failed = 0;
for (const path of documents) {
  if (validate(readJson(path))) {
    passed++;
    console.log(`ok: ${path}`);
    continue;
  }
  failed++;
  for (const e of validate.errors) {
    console.log(`${path}: ${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
