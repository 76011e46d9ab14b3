import { describe, expect, it } from "vitest";
import { cosine } from "./embedding-provider.js";
import { HashedNgramEmbedder } from "./hashed-ngram-embedder.js";

const embedder = new HashedNgramEmbedder();
const similarity = async (a: string, b: string) => {
  const [x, y] = await embedder.embed([a, b]);
  return cosine(x!, y!);
};

describe("HashedNgramEmbedder", () => {
  it("gives the same unit vector for the same text, every time", async () => {
    const [first] = await embedder.embed(["Run the database migrations before the tests"]);
    const [again] = await new HashedNgramEmbedder().embed(["Run the database migrations before the tests"]);
    expect(first).toEqual(again);
    expect(first).toHaveLength(256);
    expect(Math.hypot(...first!)).toBeCloseTo(1, 10);
  });

  it("puts texts that share words and word parts near, and unrelated texts far", async () => {
    const related = await similarity(
      "The tests fail because the database migrations were not run",
      "Run the migration before running the test suite",
    );
    const unrelated = await similarity(
      "The tests fail because the database migrations were not run",
      "Design a logo in purple and gold for the bakery",
    );
    expect(related).toBeGreaterThan(0.3);
    expect(Math.abs(unrelated)).toBeLessThan(0.15);
  });

  it("ignores stop words and case, and gives an empty text the zero vector", async () => {
    expect(await similarity("THE Deploy", "deploy")).toBeCloseTo(1, 10);
    const [empty] = await embedder.embed(["the of and"]);
    expect(empty!.every((x) => x === 0)).toBe(true);
  });

  it("refuses a dimension it cannot serve", () => {
    expect(() => new HashedNgramEmbedder(3)).toThrow("integer from 16 to 4096, not 3");
  });
});
