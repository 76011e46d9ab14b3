// Retrieval quality of the ReasoningBank: hits@1 and hits@3 on a labelled set of task pairs
// (bench/fixtures/retrieval-pairs.json: a stored lesson, and a later task it should reach),
// for each embedding provider available here, at several similarity thresholds (0.2 is the
// daemon's default) and without one (ranking alone). "no hint": nothing reached the threshold;
// "wrong first": the first hit, the one the daemon would inject, is another task's lesson.
// Run: pnpm --filter @cca/memory bench retrieval
import { readFileSync } from "node:fs";
import { z } from "zod";
import { HashedNgramEmbedder, migrate, openDatabase, ReasoningBank } from "../src/index.js";
import { print } from "./print.js";

const PairsSchema = z.array(z.object({ title: z.string(), content: z.string(), query: z.string() })).min(50);
const pairs = PairsSchema.parse(
  JSON.parse(readFileSync(new URL("./fixtures/retrieval-pairs.json", import.meta.url), "utf8")),
);

const providers = [new HashedNgramEmbedder()];
print(`Retrieval quality, ${pairs.length} labelled task pairs (stored lesson -> later task)`);
print("provider              threshold  hits@1  hits@3  no hint  wrong first");
for (const embeddings of providers) {
  const database = await openDatabase();
  try {
    await migrate(database);
    // One instant for every item, so recency weighs nothing and runs repeat.
    const bank = new ReasoningBank({ database, embeddings, mergeThreshold: 1.01, clock: { now: () => 0 } });
    const ids: string[] = [];
    for (const pair of pairs) ids.push((await bank.add({ title: pair.title, content: pair.content })).id);
    for (const threshold of [0.1, 0.2, 0.25, 0.3, -1]) {
      let top1 = 0;
      let top3 = 0;
      let none = 0;
      let wrong = 0;
      for (const [index, pair] of pairs.entries()) {
        const hits = await bank.search(pair.query, { limit: 3, threshold });
        if (hits.length === 0) none++;
        if (hits[0]?.item.id === ids[index]) top1++;
        else if (hits[0]) wrong++;
        if (hits.some((hit) => hit.item.id === ids[index])) top3++;
      }
      const share = (n: number) => (n / pairs.length).toFixed(2).padStart(6);
      print(
        `${embeddings.name.padEnd(21)} ${(threshold < 0 ? "none" : String(threshold)).padStart(9)}  ${share(top1)}  ${share(top3)}  ${share(none)}  ${share(wrong).padStart(11)}`,
      );
    }
  } finally {
    await database.close();
  }
}
