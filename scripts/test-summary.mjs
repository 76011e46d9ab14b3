#!/usr/bin/env node
// Totals every package's vitest JSON report (test-results.json) into one line:
// "N passed, N failed". Exits 1 when a test failed, a test file failed to load, or no
// test ran at all, so an empty run cannot pass unnoticed.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const since = Number(process.argv[2] ?? 0);

function* reports(dir, depth = 0) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory() && depth < 2) yield* reports(path, depth + 1);
    else if (entry.name === "test-results.json" && statSync(path).mtimeMs >= since) yield path;
  }
}

let passed = 0;
let failed = 0;
for (const path of reports(root)) {
  const report = JSON.parse(readFileSync(path, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  // A file that failed to load has no assertion results but counts as a failure.
  failed += report.testResults.filter(
    (file) => file.status === "failed" && file.assertionResults.length === 0,
  ).length;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
