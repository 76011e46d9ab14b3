import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { failure } from "../../test/support/refusal.js";
import { type Database, openDatabase } from "../database/open-database.js";
import { migrate } from "../migrations/migrator.js";
import { cosine } from "./embedding-provider.js";
import { HashedNgramEmbedder } from "./hashed-ngram-embedder.js";
import { HttpEmbedder, type HttpEmbedderOptions } from "./http-embedder.js";
import { ReasoningBank } from "./reasoning-bank.js";

/** The vectors a real server would compute, scaled, so the embedder must normalise them. */
const reference = new HashedNgramEmbedder(64);
const serverVectors = async (texts: string[]) =>
  (await reference.embed(texts)).map((v) => v.map((x) => x * 3));

interface Seen {
  path: string;
  authorization: string | undefined;
  body: { model: string; input: string[] };
}

/** A local embedding server: answers with `answer`, recording every request. */
async function embeddingServer(
  answer: (seen: Seen, response: ServerResponse) => Promise<void>,
): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer(async (request: IncomingMessage, response) => {
    let text = "";
    for await (const chunk of request) text += chunk;
    const one = {
      path: request.url ?? "",
      authorization: request.headers.authorization,
      body: JSON.parse(text),
    };
    seen.push(one);
    await answer(one, response);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const json = (response: ServerResponse, value: unknown, status = 200) => {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(typeof value === "string" ? value : JSON.stringify(value));
};

const ollama = (seen: Seen, response: ServerResponse) =>
  serverVectors(seen.body.input).then((embeddings) => json(response, { embeddings }));

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});
async function serve(answer: Parameters<typeof embeddingServer>[0]) {
  const server = await embeddingServer(answer);
  servers.push(server);
  return server;
}
const embedder = (url: string, options: Partial<HttpEmbedderOptions> = {}) =>
  new HttpEmbedder({
    api: "ollama",
    url,
    model: "nomic-embed-text",
    dimension: 64,
    timeoutMs: 2_000,
    ...options,
  });

describe("HttpEmbedder", () => {
  it("speaks Ollama's /api/embed, in batches, and returns unit vectors in order", async () => {
    const server = await serve(ollama);
    const texts = Array.from({ length: 70 }, (_, i) => `task number ${i} about migrations`);
    const vectors = await embedder(`${server.url}/`).embed(texts);
    expect(server.seen.map((s) => [s.path, s.body.model, s.body.input.length])).toEqual([
      ["/api/embed", "nomic-embed-text", 64],
      ["/api/embed", "nomic-embed-text", 6],
    ]);
    const expected = await reference.embed(texts);
    vectors.forEach((vector, i) => {
      expect(Math.hypot(...vector)).toBeCloseTo(1, 6);
      expect(cosine(vector, expected[i]!)).toBeCloseTo(1, 6);
    });
    expect(embedder(server.url).name).toBe("ollama:nomic-embed-text");
  });

  it("speaks the OpenAI-compatible /embeddings with a bearer key, ordering the answer by index", async () => {
    const server = await serve(async (seen, response) => {
      const vectors = await serverVectors(seen.body.input);
      json(response, { data: vectors.map((embedding, index) => ({ index, embedding })).reverse() });
    });
    const openai = embedder(`${server.url}/v1`, {
      api: "openai",
      model: "text-embedding-3-small",
      apiKey: "sk-test",
    });
    const [first, second] = await openai.embed(["deploy staging", "rotate the signing key"]);
    expect(server.seen[0]).toMatchObject({ path: "/v1/embeddings", authorization: "Bearer sk-test" });
    const [a, b] = await reference.embed(["deploy staging", "rotate the signing key"]);
    expect(cosine(first!, a!)).toBeCloseTo(1, 6);
    expect(cosine(second!, b!)).toBeCloseTo(1, 6);
    expect(openai.name).toBe("openai:text-embedding-3-small");
  });

  it("says what went wrong with a server that fails, answers nonsense, or miscounts", async () => {
    const down = await serve(async (_seen, response) => json(response, "model not found", 404));
    const notFound = await failure(embedder(down.url).embed(["a"]));
    expect(notFound.code).toBe("dependency_unavailable");
    expect(notFound.message).toContain(
      `The ollama embedding server at ${down.url}/api/embed (model nomic-embed-text) answered 404: model not found`,
    );
    expect(notFound.message).toContain("memory.http");

    const garbage = await serve(async (_seen, response) => json(response, "<html>"));
    expect((await failure(embedder(garbage.url).embed(["a"]))).message).toContain(
      "something that is not JSON: <html>",
    );
    const shape = await serve(async (_seen, response) => json(response, { vectors: [] }));
    expect((await failure(embedder(shape.url).embed(["a"]))).message).toContain(
      'expected {"embeddings": [[...], ...]}',
    );
    const short = await serve(async (_seen, response) => json(response, { embeddings: [] }));
    expect((await failure(embedder(short.url).embed(["a", "b"]))).message).toContain(
      "returned 0 vectors for 2 texts",
    );
  });

  it("gives up on a server that does not answer in time, or is not there", async () => {
    const silent = await serve(async () => {});
    const late = await failure(embedder(silent.url, { timeoutMs: 200 }).embed(["a"]));
    expect(late.message).toContain("did not answer within 200 ms");
    const gone = await serve(ollama);
    await gone.close();
    expect((await failure(embedder(gone.url).embed(["a"]))).message).toContain("could not be reached");
  });
});

describe("the ReasoningBank on an HttpEmbedder", () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase();
    await migrate(database);
  });
  afterAll(() => database.close());

  it("stores and finds items with the server's vectors, naming the provider; a dimension it did not promise is refused", async () => {
    const server = await serve(ollama);
    const bank = new ReasoningBank({ database, embeddings: embedder(server.url) });
    await bank.prepare();
    const item = await bank.add({
      title: "Run the migrations first",
      content: "Tests fail on a fresh database.",
    });
    expect(item.embedding_model).toBe("ollama:nomic-embed-text");
    const [hit] = await bank.search("the tests fail until the migrations run");
    expect(hit).toMatchObject({ item: { id: item.id }, embedding_model: "ollama:nomic-embed-text" });

    const wrong = new ReasoningBank({ database, embeddings: embedder(server.url, { dimension: 128 }) });
    const error = await failure(wrong.add({ title: "x", content: "y" }));
    expect(error.code).toBe("invalid_config");
  });
});
