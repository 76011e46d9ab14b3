import { z } from "zod";
import { AGENT_DRIVERS } from "../domain/schemas.js";
import { LOG_LEVELS } from "../logger.js";
import { MAX_TIMER_MS, MAX_TIMER_SECONDS } from "./timer-limits.js";

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, "expected host:port, e.g. 127.0.0.1:9200");

/**
 * An integer key from `min` to `max`. Its messages start with "is", so the loader prints
 * them after the value: `agents.default_timeout_seconds = 2200000 is out of range: …`.
 */
function integerIn(min: number, max: number, unit: string) {
  const range = `expected an integer from ${min} to ${max} (${unit})`;
  return z
    .number()
    .int({ error: `is not a whole number: ${range}` })
    .min(min, { error: `is out of range: ${range}` })
    .max(max, { error: `is out of range: ${range}` });
}

/** A limit in tokens; 0: none. */
const tokens = integerIn(0, Number.MAX_SAFE_INTEGER, "tokens");
/** A limit in US dollars; 0: none. */
const dollars = z.number().min(0, { error: "is out of range: expected 0 (no limit) or more US dollars" });
/** A duration in seconds, at most what Node's timers can wait (MAX_TIMER_SECONDS). */
const seconds = (min: number) => integerIn(min, MAX_TIMER_SECONDS, "seconds");

/** A duration in ms, at most what Node's timers can wait (MAX_TIMER_MS). */
const milliseconds = (min: number, max = MAX_TIMER_MS) => integerIn(min, max, "ms");

const MIB = 1024 * 1024;

const RoleConfigSchema = z.strictObject({
  /** Tools the role may use without asking (Claude Code `--allowedTools`). */
  allowed_tools: z.array(z.string()).optional(),
  /**
   * The built-in tools its agents have at all (Claude Code `--tools`), with
   * `token_efficiency.minimal_tools`; default: Read, Glob, Grep, Edit, Write, Bash, TodoWrite
   * and any other that `allowed_tools` names.
   */
  tools: z.array(z.string().regex(/^[A-Za-z]+$/, "a built-in tool's name, e.g. Read or WebFetch")).optional(),
  /** `--model` for agents of this role. */
  model: z.string().optional(),
  /** Routing priority: 1 is first. */
  priority: z.number().int().min(1).max(9).optional(),
  /** Instructions file; default `agents/<role>.md`. */
  instructions_file: z.string().optional(),
  /** How agents of this role run Claude Code; default `agents.driver`. */
  driver: z.enum(AGENT_DRIVERS).optional(),
});
export type RoleConfig = z.infer<typeof RoleConfigSchema>;

/** The whole of `cca.toml`. Every key has a default, so an empty file (or none) is valid. */
export const ConfigSchema = z.strictObject({
  daemon: z
    .strictObject({
      bind_address: hostPort.default("127.0.0.1:9200"),
      /** Whether `bind_address` may be a non-loopback address (the API then answers the network). */
      allow_remote: z.boolean().default(false),
      log_level: z.enum(LOG_LEVELS).default("info"),
      max_agents: integerIn(1, 256, "agents").default(10),
      /** How many top-level tasks (of different projects) one daemon runs at a time; a project's run one by one. */
      max_parallel_tasks: integerIn(1, 256, "tasks").default(4),
      /** How long shutdown waits for agents before killing them. */
      shutdown_grace_ms: milliseconds(0, 60_000).default(3_000),
      /** Most `GET /api/v1/events` streams open at once; one more is answered 503. */
      max_event_streams: integerIn(1, 10_000, "streams").default(64),
      /** How many events an event stream's client may fall behind before it is sent an error and dropped. */
      max_event_backlog: integerIn(10, 1_000_000, "events").default(1_000),
      /**
       * What a restarted daemon (or one that takes over a dead daemon's work) does with a task
       * that was running: run it again in the resumed conversation, or end it `interrupted`.
       */
      on_restart: z.enum(["resume", "interrupt"]).default("resume"),
      /** A daemon on another host unseen for this long is taken for dead, and its work is taken over. */
      stale_daemon_ms: milliseconds(1_000).default(30_000),
      /**
       * How often the daemon checks its task line against the database: re-queues queued
       * tasks whose entries were lost, takes over the work of daemons that are gone.
       */
      reconcile_interval_ms: milliseconds(50).default(5_000),
      /** Ended tasks and stopped agents are deleted after this many days; 0 keeps them forever. */
      retention_days: integerIn(0, 36_500, "days").default(30),
      /** How many context snapshots (state and zstd transcript) to keep per agent; older ones are deleted. */
      snapshots_per_agent: integerIn(1, 1_000, "snapshots").default(5),
    })
    .prefault({}),
  redis: z
    .strictObject({
      url: z.string().default(""),
      /** Namespace of every key, channel and stream; daemons that share work share it. */
      key_prefix: z.string().min(1).default("cca:"),
      /** How long a claimed task may go without its daemon's heartbeat before another daemon takes it over. */
      claim_idle_ms: milliseconds(100).default(30_000),
      pool_size: z.number().int().min(1).default(8),
      context_ttl_seconds: seconds(1).default(3600),
    })
    .prefault({}),
  postgres: z
    .strictObject({
      url: z.string().default(""),
      pool_size: z.number().int().min(1).default(10),
      max_connections: z.number().int().min(1).default(20),
    })
    .prefault({}),
  agents: z
    .strictObject({
      /** The Claude Code executable: a name on PATH or a path. */
      claude_path: z.string().min(1).default("claude"),
      /** How agents run Claude Code unless their role says otherwise. */
      driver: z.enum(AGENT_DRIVERS).default("headless"),
      /** How agents' Claude Code reaches the bridge tools: the daemon's own `/agent-mcp` (`http`) or a `cca-mcp --agent` process (`stdio`). */
      bridge: z.enum(["http", "stdio"]).default("http"),
      /** Where agents of tasks without a project work; empty means `$CCA_HOME/work`. Each agent gets a folder below it. */
      working_dir: z.string().default(""),
      /**
       * In a git project, "worktree" gives every agent a git worktree of its own under
       * `$CCA_HOME/worktrees` (parts committed on their branches, merged into `cca/<task id>`);
       * "shared" has them all work in the project folder. A folder that is not a git
       * repository is always shared.
       */
      isolation: z.enum(["worktree", "shared"]).default("worktree"),
      /** Folder of `<role>.md` instruction files; empty means the `agents/` folder shipped with CCA. */
      instructions_dir: z.string().default(""),
      /** `--model` for every agent unless its role says otherwise; empty leaves Claude Code's default. */
      model: z.string().default(""),
      /** Default time limit for an agent's work on one task. */
      default_timeout_seconds: seconds(1).default(300),
      /** How long a new agent may take to start before it counts as failed. */
      startup_timeout_seconds: seconds(1).default(60),
      /**
       * An agent with no task for this long stops; its conversation is kept, and the next
       * agent of its role resumes it. 0: idle agents run until stopped.
       */
      idle_timeout_s: seconds(0).default(600),
      /** How long a stopped (or failed) agent stays in `GET /api/v1/agents` and `cca agent list`. 0: it leaves at once. */
      stopped_retention_s: seconds(0).default(3600),
      /**
       * An agent whose Claude Code exits unexpectedly is restarted in its conversation at
       * most this many times within `restart_window_s`; past that it stays `failed`. 0: never restarted.
       */
      restart_max: integerIn(0, 100, "restarts").default(3),
      /** The sliding window `restart_max` counts restarts in. */
      restart_window_s: seconds(1).default(600),
      /** The wait before the first restart; each further restart within the window waits twice as long. */
      restart_backoff_ms: milliseconds(0, 600_000).default(1000),
      /** The longest wait before a restart, however many came before. */
      restart_backoff_max_ms: milliseconds(0, 600_000).default(30_000),
      /**
       * Ready agents kept idle per role, e.g. `{ coordinator = 1, backend = 1 }`, so a task or
       * a delegation does not wait for Claude Code to start (about 300 MB RSS each). They
       * count within `daemon.max_agents`; kept for tasks without a project from the start,
       * and for each project from its first task on.
       */
      warm: z.record(z.string(), integerIn(0, 256, "agents")).default({}),
      context_compression: z.boolean().default(true),
      /**
       * How long a tool use that needs approval waits for an answer (HTTP, `cca approve`, the
       * Command Center) before it becomes a denial that says why.
       */
      approval_timeout_s: seconds(1).default(600),
      /** Let agents run every tool without asking (Claude Code `bypassPermissions`). Off unless you say so. */
      skip_permissions: z.boolean().default(false),
      /** Extra environment for every agent, on top of the daemon's own. */
      env: z.record(z.string(), z.string()).default({}),
      roles: z.record(z.string(), RoleConfigSchema).default({}),
    })
    .prefault({}),
  acp: z
    .strictObject({
      reconnect_interval_ms: milliseconds(10).default(1000),
      max_reconnect_attempts: z.number().int().min(0).default(10),
      /** A connection whose unsent output passes this many bytes (the client is not reading) is closed. */
      max_buffered_bytes: integerIn(64 * 1024, 1024 * MIB, "bytes").default(8 * MIB),
      /** Most distinct `events/subscribe` subscriptions one connection may hold. */
      max_subscriptions: integerIn(1, 4096, "subscriptions").default(32),
    })
    .prefault({}),
  projects: z
    .strictObject({
      /** Untracked files (e.g. ".env") copied from the project into each agent's worktree; never committed. */
      copy_files: z.array(z.string().min(1)).default([]),
      /** Merge a task's branch into the project's current branch when the task completes (as `cca task apply` does). */
      auto_apply: z.boolean().default(false),
    })
    .prefault({}),
  /** cca-mcp, the Command Center's MCP server; it finds cca.toml as the daemon does, from the project folder. */
  mcp: z
    .strictObject({
      /** Cancel a task when the user interrupts (Esc) the `cca_task` call waiting for it; by default it goes on. */
      cancel_on_interrupt: z.boolean().default(false),
    })
    .prefault({}),
  memory: z
    .strictObject({
      /**
       * The embedding provider: `local`, hashed word and character n-grams (deterministic,
       * nothing to download), or `http`, a server named in `[memory.http]`.
       */
      embeddings: z.enum(["local", "http"]).default("local"),
      dimension: z.number().int().min(16).max(4096).default(256),
      /** Below this cosine similarity an item is never returned or injected. */
      threshold: z.number().min(-1).max(1).default(0.2),
      /** Most items injected into a task's (or part's) first turn as hints; 0: none. */
      hints: z.number().int().min(0).max(10).default(1),
      /** A new item at least this similar to one of the same kind and scope merges into it. */
      merge_threshold: z.number().min(0).max(1).default(0.9),
      /** An item whose confidence falls to this after 3 outcomes is deleted. */
      prune_below: z.number().min(0).max(1).default(0.2),
      max_items_per_project: z.number().int().min(1).max(1_000_000).default(1000),
      /** After a top-level task ends, a cheap turn distils up to 3 items from it. */
      distill: z.boolean().default(true),
      /** The model of the distiller's turn (a Claude Code `--model` value). */
      distill_model: z.string().min(1).default("haiku"),
      distill_timeout_s: seconds(1).default(120),
      /** How a task's outcome is judged: its status, or also an LLM verdict in the distiller's turn. */
      judge: z.enum(["status", "llm"]).default("status"),
      /** The embedding server of `embeddings = "http"`; `memory.dimension` must be its model's. */
      http: z
        .strictObject({
          /** `ollama` (POST <url>/api/embed) or `openai`, any OpenAI-compatible server (POST <url>/embeddings). */
          api: z.enum(["ollama", "openai"]).default("ollama"),
          url: z.url({ protocol: /^https?$/ }).default("http://127.0.0.1:11434"),
          model: z.string().min(1).default("nomic-embed-text"),
          /** The environment variable holding the server's API key, sent as a bearer token when set. */
          api_key_env: z.string().min(1).default("CCA_EMBEDDINGS_API_KEY"),
          timeout_s: seconds(1).default(30),
        })
        .prefault({}),
    })
    .prefault({}),
  /**
   * Learned routing: each top-level task and each delegated part is a decision (which role
   * runs it) with an outcome (success, tokens, time). A contextual bandit learns from them;
   * its choice replaces the heuristic's only past the support and confidence gates.
   */
  learning: z
    .strictObject({
      /** The off switch: false routes by the heuristic alone and records nothing. */
      enabled: z.boolean().default(true),
      /** Learn from every decision but always route by the heuristic. */
      shadow: z.boolean().default(false),
      /** The learner: a Bayesian linear contextual bandit (the one there is). */
      algorithm: z.enum(["linear-bandit"]).default("linear-bandit"),
      /** Outcomes needed near a task, for the learned role and the heuristic's, before the learned one may route. */
      min_support: z.number().min(0).default(8),
      /** How sure the learned role must be to beat the heuristic's, 0.5–1. */
      min_confidence: z.number().min(0.5).max(1).default(0.9),
      /**
       * Share of decisions that try the role with the best upper confidence bound instead.
       * 0: learn only from the heuristic's decisions and from roles a person chose.
       */
      explore: z.number().min(0).max(1).default(0),
      /** Words whose presence in a task is a feature (besides its embedding's cluster and size). */
      keywords: z
        .array(z.string().min(1))
        .default([
          "api",
          "server",
          "database",
          "sql",
          "ui",
          "css",
          "deploy",
          "docker",
          "auth",
          "security",
          "test",
        ]),
      /** The reward: 1 for success, less token_weight per reference_tokens and time_weight per reference_seconds. */
      token_weight: z.number().min(0).default(0.5),
      reference_tokens: z.number().int().min(1).default(50_000),
      time_weight: z.number().min(0).default(0.1),
      reference_seconds: z.number().min(1).default(120),
      /** Most settled experiences folded into the models per read. */
      training_batch_size: z.number().int().min(1).default(500),
      /** Seconds between folding in what other daemons settled, and saving the checkpoint. */
      update_interval_seconds: seconds(1).default(60),
    })
    .prefault({}),
  /**
   * Spending limits. At a limit no new turn starts: running turns finish, then the task
   * pauses (`paused`, budget_exhausted) until someone resumes it. 0: no limit.
   */
  budgets: z
    .strictObject({
      /** The budget of a task that names none: the most its team may spend, in tokens. */
      task_tokens: tokens.default(0),
      /** The same in US dollars. */
      task_usd: dollars.default(0),
      /** All turns in a UTC day, of every daemon sharing the database. */
      day_tokens: tokens.default(0),
      day_usd: dollars.default(0),
      /** Each project's turns in a UTC day. */
      project_day_tokens: tokens.default(0),
      project_day_usd: dollars.default(0),
      /** Per role, the turns of its agents in a UTC day, e.g. `{ coordinator = 2000000, security = 200000 }`. */
      roles: z.record(z.string(), tokens).default({}),
    })
    .prefault({}),
  /** How the daemon keeps to the Anthropic API's rate limits (429, and 529 overloaded). */
  rate_limits: z
    .strictObject({
      /** Task turns that may call the API at once; it halves at each rate limit and grows back. 0: `daemon.max_agents`. */
      max_turns: integerIn(0, 1024, "turns").default(0),
      /** A turn that still fails on a rate limit once Claude Code's own retries are spent is tried again this many times. */
      turn_retries: integerIn(0, 100, "retries").default(2),
      /** How long new turns wait after a rate limit when the API named no `retry-after`. */
      retry_wait_s: seconds(0).default(30),
    })
    .prefault({}),
  token_efficiency: z
    .strictObject({
      /** Switches every saving below at once; off, each is off whatever it says. */
      enabled: z.boolean().default(true),
      /**
       * Each agent gets only its role's built-in tools (`--tools`), not Claude Code's ~24,
       * whose definitions are most of every request (about 76 KB down to 17 KB on 2.1.197).
       */
      minimal_tools: z.boolean().default(true),
      /**
       * Headless agents with the Skill tool load no skills or slash commands
       * (`--disable-slash-commands`): their listing goes with every request (about 7 KB with
       * all tools). Without that tool there is nothing to save, and `/compact` stays.
       */
      no_skills: z.boolean().default(true),
      /**
       * A headless agent whose conversation (what its last request sent beyond the tools and
       * system prompt) has grown past `compact_above_tokens` is compacted (Claude Code's
       * /compact) before its next turn.
       */
      compaction: z.boolean().default(true),
      compact_above_tokens: integerIn(1_000, 10_000_000, "tokens").default(60_000),
      target_reduction: z.number().min(0).max(1).default(0.3),
      compression_algorithm: z.enum(["zstd", "none"]).default("zstd"),
    })
    .prefault({}),
});

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
