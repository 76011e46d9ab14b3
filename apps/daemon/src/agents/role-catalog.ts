import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type AgentDriverKind, BUILTIN_ROLES, CcaError, type Config, ROLE_NAME_PATTERN } from "@cca/core";

/** The tools an agent may use without asking, unless its role's config lists its own. */
export const DEFAULT_ALLOWED_TOOLS = ["Read", "Glob", "Grep", "Edit", "Write", "Bash", "TodoWrite"];

export interface RoleProfile {
  role: string;
  instructions: string;
  allowedTools: string[];
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

/** Knows which roles exist and what each one is told and allowed. */
export class RoleCatalog {
  readonly #config: Config["agents"];
  readonly #instructionsDir: string;

  constructor(
    config: Config["agents"],
    instructionsDir = config.instructions_dir || shippedInstructionsDir(),
  ) {
    this.#config = config;
    this.#instructionsDir = instructionsDir;
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
    return {
      role,
      instructions: this.#readInstructions(role, roleConfig.instructions_file),
      allowedTools: roleConfig.allowed_tools ?? DEFAULT_ALLOWED_TOOLS,
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
