-- The ReasoningBank: memory items (DESIGN.md calls the table patterns), each a strategy
-- distilled from a success or a guardrail from a failure, found again by hybrid search:
-- pgvector cosine on the embedding and PostgreSQL full-text search, fused by rank.
CREATE TABLE patterns (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('strategy', 'guardrail')),
  -- The project folder; null: global.
  project text,
  title text NOT NULL,
  description text NOT NULL,
  content text NOT NULL,
  -- Provenance: the tasks it was distilled from.
  source_task_ids text[] NOT NULL,
  confidence real NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
  uses integer NOT NULL DEFAULT 0,
  successes integer NOT NULL DEFAULT 0,
  failures integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz,
  -- Untyped, so a change of provider needs no migration; each dimension has its own
  -- HNSW index over the cast (see PatternRepository.ensureIndex), 256 (the local default) here.
  embedding vector NOT NULL,
  embedding_model text NOT NULL,
  embedding_dim integer NOT NULL,
  search tsvector GENERATED ALWAYS AS (
    to_tsvector('english', title || ' ' || description || ' ' || content)
  ) STORED
);
CREATE INDEX patterns_search ON patterns USING gin (search);
CREATE INDEX patterns_embedding_256 ON patterns USING hnsw ((embedding::vector(256)) vector_cosine_ops)
  WHERE embedding_dim = 256;
-- No index on project: with PGlite's statistics never gathered (it runs no autovacuum), the
-- planner would take it over the HNSW index for every search.

-- Which items were injected into which task, with the score they had, and how the task
-- went (its end, or later feedback): the item's counters and confidence follow from these.
CREATE TABLE pattern_injections (
  task_id text NOT NULL,
  pattern_id text NOT NULL,
  score real NOT NULL,
  injected_at timestamptz NOT NULL,
  -- success, failure, or null while the task runs (or ended neither way).
  outcome text CHECK (outcome IN ('success', 'failure')),
  PRIMARY KEY (task_id, pattern_id)
);
CREATE INDEX pattern_injections_pattern ON pattern_injections (pattern_id);
