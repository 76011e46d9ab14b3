import { z } from "zod";
import { LOG_LEVELS } from "../logger.js";

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, "expected host:port, e.g. 127.0.0.1:9200");

const RoleConfigSchema = z.strictObject({
  /** Tools the role may use without asking (Claude Code `--allowedTools`). */
  allowed_tools: z.array(z.string()).optional(),
  /** `--model` for agents of this role. */
  model: z.string().optional(),
  /** Routing priority: 1 is first. */
  priority: z.number().int().min(1).max(9).optional(),
  /** Instructions file; default `agents/<role>.md`. */
  instructions_file: z.string().optional(),
});
export type RoleConfig = z.infer<typeof RoleConfigSchema>;

/** The whole of `cca.toml`. Every key has a default, so an empty file (or none) is valid. */
export const ConfigSchema = z.strictObject({
  daemon: z
    .strictObject({
      bind_address: hostPort.default("127.0.0.1:9200"),
      log_level: z.enum(LOG_LEVELS).default("info"),
      max_agents: z.number().int().min(1).max(256).default(10),
      /** How long shutdown waits for agents before killing them. */
      shutdown_grace_ms: z.number().int().min(0).max(60_000).default(3_000),
    })
    .prefault({}),
  redis: z
    .strictObject({
      url: z.string().default(""),
      /** Namespace of every key, channel and stream; daemons that share work share it. */
      key_prefix: z.string().min(1).default("cca:"),
      /** How long a claimed task may go without its daemon's heartbeat before another daemon takes it over. */
      claim_idle_ms: z.number().int().min(100).default(30_000),
      pool_size: z.number().int().min(1).default(8),
      context_ttl_seconds: z.number().int().min(1).default(3600),
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
      driver: z.enum(["headless"]).default("headless"),
      /** Where agents work; empty means `$CCA_HOME/work`. Each agent gets a folder below it. */
      working_dir: z.string().default(""),
      /** Folder of `<role>.md` instruction files; empty means the `agents/` folder shipped with CCA. */
      instructions_dir: z.string().default(""),
      /** `--model` for every agent unless its role says otherwise; empty leaves Claude Code's default. */
      model: z.string().default(""),
      default_timeout_seconds: z.number().int().min(1).default(300),
      /** How long a new agent may take to start before it counts as failed. */
      startup_timeout_seconds: z.number().int().min(1).default(60),
      token_budget_per_task: z.number().int().min(0).default(50_000),
      context_compression: z.boolean().default(true),
      /** Let agents run every tool without asking (Claude Code `bypassPermissions`). Off unless you say so. */
      skip_permissions: z.boolean().default(false),
      /** Extra environment for every agent, on top of the daemon's own. */
      env: z.record(z.string(), z.string()).default({}),
      roles: z.record(z.string(), RoleConfigSchema).default({}),
    })
    .prefault({}),
  acp: z
    .strictObject({
      reconnect_interval_ms: z.number().int().min(10).default(1000),
      max_reconnect_attempts: z.number().int().min(0).default(10),
    })
    .prefault({}),
  learning: z
    .strictObject({
      enabled: z.boolean().default(false),
      default_algorithm: z.string().default("q_learning"),
      training_batch_size: z.number().int().min(1).default(32),
      update_interval_seconds: z.number().int().min(1).default(300),
    })
    .prefault({}),
  token_efficiency: z
    .strictObject({
      enabled: z.boolean().default(true),
      target_reduction: z.number().min(0).max(1).default(0.3),
      compression_algorithm: z.enum(["zstd", "none"]).default("zstd"),
    })
    .prefault({}),
});

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
