// The package's benchmarks: `pnpm --filter @cca/memory bench [zstd] [knn] [retrieval]` (default all).
const BENCHES = ["zstd", "knn", "retrieval"];
const chosen = process.argv.slice(2).filter((arg) => arg !== "--");
const unknown = chosen.filter((name) => !BENCHES.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`Unknown benchmark ${unknown.join(", ")}; choose from ${BENCHES.join(", ")}\n`);
  process.exit(2);
}
for (const name of chosen.length > 0 ? chosen : BENCHES) await import(`./${name}.ts`);
