import { z } from "zod";
import { CcaError } from "../errors/cca-error.js";
import type { Env } from "../paths.js";
import { ConfigSchema } from "./schema.js";

const PREFIX = "CCA__";

/** Unwraps defaults and optionals to the schema that says what a value must look like. */
function innerSchema(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  while (
    current instanceof z.ZodDefault ||
    current instanceof z.ZodOptional ||
    current instanceof z.ZodPrefault
  ) {
    current = (current as z.ZodDefault<z.ZodType>).unwrap() as z.ZodType;
  }
  return current;
}

/** Converts an environment string to the type the config key expects. */
function coerce(raw: string, schema: z.ZodType): unknown {
  const inner = innerSchema(schema);
  if (inner instanceof z.ZodNumber) return raw.trim() === "" ? raw : Number(raw);
  if (inner instanceof z.ZodBoolean) {
    if (/^(true|1|yes)$/i.test(raw)) return true;
    if (/^(false|0|no)$/i.test(raw)) return false;
    return raw;
  }
  if (inner instanceof z.ZodArray)
    return raw
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean);
  if (inner instanceof z.ZodRecord) {
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  return raw;
}

/**
 * Applies `CCA__SECTION__KEY=value` variables over raw config values, e.g.
 * `CCA__DAEMON__BIND_ADDRESS=127.0.0.1:9311`. `CCA__AGENTS__ENV__NAME=value` sets one
 * entry of a table. Unknown sections are refused by name.
 */
export function applyEnvOverrides(raw: Record<string, unknown>, env: Env): Record<string, unknown> {
  const result: Record<string, unknown> = structuredClone(raw);
  const sections = ConfigSchema.shape;
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(PREFIX) || value === undefined) continue;
    const [sectionName, keyName, ...rest] = name.slice(PREFIX.length).split("__");
    const section = sectionName?.toLowerCase() ?? "";
    if (!(section in sections) || !keyName) {
      throw new CcaError(
        "invalid_config",
        `Environment variable ${name} does not name a config key; expected CCA__<SECTION>__<KEY> with a section among ${Object.keys(sections).join(", ")}`,
      );
    }
    const key = keyName.toLowerCase();
    const sectionSchema = innerSchema(sections[section as keyof typeof sections]) as z.ZodObject;
    const fieldSchema = sectionSchema.shape[key] as z.ZodType | undefined;
    result[section] ??= {};
    const target = result[section] as Record<string, unknown>;
    if (rest.length > 0) {
      // A table entry such as agents.env.NAME keeps the entry name as written.
      target[key] ??= {};
      (target[key] as Record<string, unknown>)[rest.join("__")] = value;
    } else {
      target[key] = fieldSchema ? coerce(value, fieldSchema) : value;
    }
  }
  return result;
}
