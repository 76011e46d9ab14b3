import type { Config } from "@cca/core";
import { type EmbeddingProvider, HashedNgramEmbedder, HttpEmbedder } from "@cca/memory";

/** The ReasoningBank's embedding provider that `[memory]` names; an http one's key comes from the environment. */
export function embeddingsFor(config: Config["memory"], env: NodeJS.ProcessEnv): EmbeddingProvider {
  if (config.embeddings === "local") return new HashedNgramEmbedder(config.dimension);
  const { http } = config;
  return new HttpEmbedder({
    api: http.api,
    url: http.url,
    model: http.model,
    dimension: config.dimension,
    apiKey: env[http.api_key_env] || undefined,
    timeoutMs: http.timeout_s * 1000,
  });
}
