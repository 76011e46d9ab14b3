import { parseConfig } from "@cca/core";
import { HashedNgramEmbedder, HttpEmbedder } from "@cca/memory";
import { describe, expect, it } from "vitest";
import { embeddingsFor } from "./embeddings.js";

describe("embeddingsFor", () => {
  it("is the local hashed n-grams by default, of the configured dimension", () => {
    const provider = embeddingsFor(parseConfig({ memory: { dimension: 128 } }).memory, {});
    expect(provider).toBeInstanceOf(HashedNgramEmbedder);
    expect([provider.name, provider.dimension]).toEqual(["local-hash-ngrams", 128]);
  });

  it("is the server of [memory.http] when asked, named after its API and model", () => {
    const memory = parseConfig({
      memory: {
        embeddings: "http",
        dimension: 768,
        http: { api: "openai", url: "http://127.0.0.1:8000/v1", model: "bge" },
      },
    }).memory;
    const provider = embeddingsFor(memory, { CCA_EMBEDDINGS_API_KEY: "sk-local" });
    expect(provider).toBeInstanceOf(HttpEmbedder);
    expect([provider.name, provider.dimension]).toEqual(["openai:bge", 768]);
  });

  it("refuses a server URL that is not http(s), saying where", () => {
    expect(() => parseConfig({ memory: { embeddings: "http", http: { url: "ftp://models" } } })).toThrow(
      /memory\.http\.url/,
    );
  });
});
