import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Who an agent credential speaks for: one agent, of one role. */
export interface AgentIdentity {
  agentId: string;
  role: string;
}

/** Credentials are looked up by their digest, so the lookup's timing says nothing of the secret. */
const digestOf = (credential: string): string => createHash("sha256").update(credential).digest("hex");

/** Whether two credentials are the same one, compared in time that says nothing of either. */
export function sameCredential(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(digestOf(a)), Buffer.from(digestOf(b)));
}

/**
 * The daemon's registry of agent credentials: each agent gets its own random secret, bound
 * to its id and role, for its bridge to present on ACP. It lives in memory only: agents die
 * with their daemon, and so do their credentials.
 * @example
 * const credentials = new AgentCredentials();
 * const secret = credentials.issue("backend-1", "backend");
 * credentials.identify(secret); // { agentId: "backend-1", role: "backend" }
 */
export class AgentCredentials {
  readonly #byDigest = new Map<string, AgentIdentity>();
  readonly #digestByAgent = new Map<string, string>();

  /** A new credential for the agent; any earlier one of that agent stops working. */
  issue(agentId: string, role: string): string {
    this.revoke(agentId);
    const credential = randomBytes(32).toString("base64url");
    const digest = digestOf(credential);
    this.#byDigest.set(digest, { agentId, role });
    this.#digestByAgent.set(agentId, digest);
    return credential;
  }

  /** The agent a credential belongs to, or undefined for an unknown or revoked one. */
  identify(credential: string | undefined): AgentIdentity | undefined {
    if (!credential) return undefined;
    const identity = this.#byDigest.get(digestOf(credential));
    return identity ? { ...identity } : undefined;
  }

  /**
   * Ends the agent's credential; with `credential`, only if that is still the current one
   * (so a late clean-up of an earlier process cannot end a restarted agent's). True if it ended one.
   */
  revoke(agentId: string, credential?: string): boolean {
    const digest = this.#digestByAgent.get(agentId);
    if (digest === undefined || (credential !== undefined && digestOf(credential) !== digest)) return false;
    this.#digestByAgent.delete(agentId);
    this.#byDigest.delete(digest);
    return true;
  }

  /** How many credentials are live. */
  get size(): number {
    return this.#byDigest.size;
  }
}
