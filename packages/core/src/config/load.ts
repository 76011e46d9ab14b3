import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse as parseToml } from "smol-toml";
import type { z } from "zod";
import { CcaError } from "../errors/cca-error.js";
import { type Env, resolveCcaHome } from "../paths.js";
import { applyEnvOverrides } from "./env-overrides.js";
import { type Config, ConfigSchema } from "./schema.js";

export interface LoadedConfig {
  config: Config;
  /** The file the config came from, or null when only defaults and environment applied. */
  source: string | null;
  /** The CCA home directory in force. */
  home: string;
}

/** The first config file that exists: `$CCA_CONFIG`, `./cca.toml`, `$CCA_HOME/cca.toml`. */
export function findConfigFile(env: Env, cwd: string): string | null {
  const explicit = env.CCA_CONFIG?.trim();
  if (explicit) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) {
      throw new CcaError("invalid_config", `CCA_CONFIG points to ${path}, which does not exist`, {
        details: { path },
      });
    }
    return path;
  }
  for (const candidate of [join(cwd, "cca.toml"), join(resolveCcaHome(env), "cca.toml")]) {
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** Validates raw config values, refusing bad ones with the key, the value and what was expected. */
export function parseConfig(raw: unknown, origin = "config"): Config {
  const result = ConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new CcaError(
    "invalid_config",
    `Invalid ${origin}:\n${describeIssues(result.error, raw)}\n` +
      "Fix these keys (or their CCA__<SECTION>__<KEY> variables); cca.toml.example lists every key with its default and range.",
  );
}

function describeIssues(error: z.ZodError, raw: unknown): string {
  return error.issues
    .map((issue) => {
      if (issue.code === "unrecognized_keys") {
        const where = issue.path.join(".");
        return `  - unknown key ${issue.keys.map((key) => (where ? `${where}.${key}` : key)).join(", ")}`;
      }
      const key = issue.path.join(".");
      const value = valueAt(raw, issue.path);
      const shown = value === undefined ? "" : ` = ${JSON.stringify(value)}`;
      // Range messages read as a sentence after the value: "… = 2200000 is out of range: …".
      const joint = issue.message.startsWith("is ") ? " " : ": ";
      return `  - ${key}${shown}${joint}${issue.message}`;
    })
    .join("\n");
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let current = raw;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * Loads the configuration: file (if any), then `CCA__SECTION__KEY` environment overrides,
 * validated as a whole.
 * @example const { config } = loadConfig(); config.daemon.bind_address // "127.0.0.1:9200"
 */
export function loadConfig(options: { env?: Env; cwd?: string } = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const source = findConfigFile(env, cwd);
  let raw: Record<string, unknown> = {};
  if (source) {
    try {
      raw = parseToml(readFileSync(source, "utf8")) as Record<string, unknown>;
    } catch (error) {
      throw new CcaError("invalid_config", `Cannot read ${source}: ${(error as Error).message}`, {
        cause: error,
        details: { path: source },
      });
    }
  }
  const merged = applyEnvOverrides(raw, env);
  return { config: parseConfig(merged, source ?? "configuration"), source, home: resolveCcaHome(env) };
}
