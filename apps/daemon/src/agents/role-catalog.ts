import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type AgentDriverKind, BUILTIN_ROLES, CcaError, type Config, ROLE_NAME_PATTERN } from "@cca/core";

/** The tools an agent may use without asking, unless its role's config lists its own. */
export const DEFAULT_ALLOWED_TOOLS = ["Read", "Glob", "Grep", "Edit", "Write", "Bash", "TodoWrite"];

/**
 * The built-in tools an agent has with minimal tools, besides those its allowed list names:
 * the working set. A tool it has but may not use alone asks a person (the approval inbox);
 * a tool it does not have does not exist for it.
 */
export const DEFAULT_TOOLS = DEFAULT_ALLOWED_TOOLS;

export interface RoleProfile {
  role: string;
  instructions: string;
  allowedTools: string[];
  /** The built-in tools its agents have at all (`--tools`); null: all of Claude Code's. */
  tools: string[] | null;
  model: string | null;
  /** How its agents run Claude Code: the role's `driver`, else `agents.driver`. */
  driver: AgentDriverKind;
}

/** The `agents/` folder shipped with CCA: the nearest one above this module that holds coordinator.md. */
export function shippedInstructionsDir(): string {
  let dir = fileURLToPath(new URL(".", import.meta.url));
  while (!existsSync(join(dir, "agents", "coordinator.md"))) {
    const parent = dirname(dir);
    if (parent === dir) return join(process.cwd(), "agents");
    dir = parent;
  }
  return join(dir, "agents");
}

/** The built-in tools named in a list of allowed tools: `Bash(git *)` names Bash, MCP tools none. */
export function builtinToolsOf(allowedTools: readonly string[]): string[] {
  const names = allowedTools
    .filter((tool) => !tool.startsWith("mcp__"))
    .map((tool) => tool.replace(/\(.*$/, "").trim())
    .filter((name) => /^[A-Za-z]+$/.test(name));
  return [...new Set(names)];
}

/** Knows which roles exist and what each one is told, given and allowed. */
export class RoleCatalog {
  readonly #config: Config["agents"];
  readonly #instructionsDir: string;
  readonly #minimalTools: boolean;

  constructor(
    config: Config["agents"],
    options: {
      /** `token_efficiency.minimal_tools` (and `enabled`): agents get only their role's built-in tools. */
      minimalTools?: boolean;
      instructionsDir?: string;
    } = {},
  ) {
    this.#config = config;
    this.#instructionsDir = options.instructionsDir ?? (config.instructions_dir || shippedInstructionsDir());
    this.#minimalTools = options.minimalTools ?? false;
  }

  /** Built-in roles plus custom roles from `[agents.roles.<name>]`. */
  get roles(): string[] {
    return [...new Set([...BUILTIN_ROLES, ...Object.keys(this.#config.roles)])];
  }

  /** The role's profile; throws `unknown_role` naming the known roles. */
  profile(role: string): RoleProfile {
    if (!ROLE_NAME_PATTERN.test(role) || !this.roles.includes(role)) {
      throw new CcaError(
        "unknown_role",
        `Unknown role "${role}"; known roles: ${this.roles.join(", ")}. Add a custom role under [agents.roles.${ROLE_NAME_PATTERN.test(role) ? role : "<name>"}] in cca.toml.`,
        { details: { role } },
      );
    }
    const roleConfig = this.#config.roles[role] ?? {};
    const allowedTools = roleConfig.allowed_tools ?? DEFAULT_ALLOWED_TOOLS;
    return {
      role,
      instructions: this.#readInstructions(role, roleConfig.instructions_file),
      allowedTools,
      tools: this.#minimalTools
        ? (roleConfig.tools ?? [...new Set([...DEFAULT_TOOLS, ...builtinToolsOf(allowedTools)])])
        : null,
      model: roleConfig.model || this.#config.model || null,
      driver: roleConfig.driver ?? this.#config.driver,
    };
  }

  #readInstructions(role: string, file: string | undefined): string {
    const path = file ? resolve(file) : join(this.#instructionsDir, `${role}.md`);
    if (existsSync(path)) return readFileSync(path, "utf8").trim();
    if (file) {
      throw new CcaError("invalid_config", `Instructions file for role "${role}" not found: ${path}`, {
        details: { role, path },
      });
    }
    return `You are the ${role} agent of a CCA team. Do the task you are given carefully and answer concisely with what you did and how you verified it.`;
  }
}
