import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { zstdCompress, zstdDecompress } from "./zstd.js";

// Text with some repetition and some noise, as transcripts are.
const sample = Buffer.from(
  Array.from(
    { length: 2000 },
    (_, index) =>
      `{"turn":${index},"id":"${randomBytes(8).toString("hex")}","text":"read the file src/x.ts"}\n`,
  ).join(""),
);

describe("zstd", () => {
  it("compresses at the level it is given (the package's own wrapper ignores it)", async () => {
    const fastest = await zstdCompress(sample, 1);
    const smallest = await zstdCompress(sample, 19);
    expect(smallest.length).toBeLessThan(fastest.length);
  });

  it("decompresses to the same bytes at every level", async () => {
    for (const level of [1, 3, 9, 19]) {
      expect((await zstdDecompress(await zstdCompress(sample, level))).equals(sample)).toBe(true);
    }
  });

  it("says what it could not decompress", async () => {
    await expect(zstdDecompress(Buffer.from("not zstd at all"))).rejects.toThrow(
      /zstd: could not decompress 15 bytes/,
    );
  });
});
