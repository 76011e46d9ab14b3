import { CcaError, redactUrl } from "@cca/core";
import { z } from "zod";
import { type EmbeddingProvider, unitLength } from "./embedding-provider.js";

/** The embedding APIs an HttpEmbedder speaks. */
export const HTTP_EMBEDDING_APIS = ["ollama", "openai"] as const;
export type HttpEmbeddingApi = (typeof HTTP_EMBEDDING_APIS)[number];

/** Most texts per request. */
const BATCH = 64;

export interface HttpEmbedderOptions {
  api: HttpEmbeddingApi;
  /**
   * The server's base URL: Ollama's (`http://127.0.0.1:11434`; requests go to `/api/embed`),
   * or an OpenAI-compatible one with its version (`https://api.openai.com/v1`; requests go to
   * `/embeddings`).
   */
  url: string;
  model: string;
  /** What the model returns; a vector of another length is refused. */
  dimension: number;
  /** Sent as a bearer token when given. */
  apiKey?: string;
  timeoutMs: number;
}

const OllamaAnswerSchema = z.object({ embeddings: z.array(z.array(z.number())) });
const OpenAiAnswerSchema = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
});

/**
 * Embeddings from a server: Ollama's `/api/embed` or an OpenAI-compatible `/embeddings`.
 * Its name (`ollama:<model>`, `openai:<model>`) goes with every vector and search result.
 * Vectors are L2-normalised here, whatever the server does.
 */
export class HttpEmbedder implements EmbeddingProvider {
  readonly name: string;
  readonly dimension: number;
  readonly #options: HttpEmbedderOptions;

  constructor(options: HttpEmbedderOptions) {
    this.#options = options;
    this.name = `${options.api}:${options.model}`;
    this.dimension = options.dimension;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += BATCH) {
      vectors.push(...(await this.#embedBatch(texts.slice(start, start + BATCH))));
    }
    return vectors.map(unitLength);
  }

  async #embedBatch(texts: string[]): Promise<number[][]> {
    const { api, url, model, apiKey, timeoutMs } = this.#options;
    const endpoint = `${url.replace(/\/+$/, "")}${api === "ollama" ? "/api/embed" : "/embeddings"}`;
    const shown = redactUrl(endpoint);
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
        },
        body: JSON.stringify({ model, input: texts }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const late = error instanceof Error && error.name === "TimeoutError";
      throw this.#unavailable(
        shown,
        late ? `did not answer within ${timeoutMs} ms` : `could not be reached (${String(error)})`,
        error,
      );
    }
    const body = await response.text();
    if (!response.ok) {
      throw this.#unavailable(shown, `answered ${response.status}: ${body.slice(0, 300)}`);
    }
    const vectors = this.#vectorsOf(shown, body);
    if (vectors.length !== texts.length) {
      throw this.#unavailable(shown, `returned ${vectors.length} vectors for ${texts.length} texts`);
    }
    return vectors;
  }

  #vectorsOf(endpoint: string, body: string): number[][] {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw this.#unavailable(endpoint, `answered with something that is not JSON: ${body.slice(0, 200)}`);
    }
    const parsed =
      this.#options.api === "ollama"
        ? OllamaAnswerSchema.safeParse(json)
        : OpenAiAnswerSchema.safeParse(json);
    if (!parsed.success) {
      const expected =
        this.#options.api === "ollama"
          ? '{"embeddings": [[...], ...]}'
          : '{"data": [{"index", "embedding"}, ...]}';
      throw this.#unavailable(
        endpoint,
        `answered JSON of another shape (${z.prettifyError(parsed.error)}); expected ${expected}`,
      );
    }
    return "embeddings" in parsed.data
      ? parsed.data.embeddings
      : [...parsed.data.data].sort((a, b) => a.index - b.index).map((entry) => entry.embedding);
  }

  #unavailable(endpoint: string, what: string, cause?: unknown): CcaError {
    return new CcaError(
      "dependency_unavailable",
      `The ${this.#options.api} embedding server at ${endpoint} (model ${this.#options.model}) ${what}; check memory.http in cca.toml`,
      { cause, details: { endpoint, model: this.#options.model } },
    );
  }
}
