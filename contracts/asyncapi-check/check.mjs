// Parse contracts/asyncapi.yaml with the official AsyncAPI parser.
// Prints every diagnostic; exits 1 if any has error severity (or parsing fails).
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";
import { Parser, DiagnosticSeverity } from "@asyncapi/parser";

const here = dirname(fileURLToPath(import.meta.url));
const file = resolve(here, process.argv[2] ?? "../asyncapi.yaml");
const names = { 0: "error", 1: "warning", 2: "info", 3: "hint" };

const parser = new Parser();
const { document, diagnostics } = await parser.parse(await readFile(file, "utf8"), {
  source: file,
});
let errors = 0;
for (const d of diagnostics) {
  if (d.severity === DiagnosticSeverity.Error) errors += 1;
  console.log(`${names[d.severity] ?? d.severity} ${d.code} at ${d.path.join(".")}: ${d.message}`);
}
console.log(`${errors} error(s), ${diagnostics.length} diagnostic(s) in ${file}`);
process.exit(errors === 0 && document !== undefined ? 0 : 1);
