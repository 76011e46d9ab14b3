import { existsSync } from "node:fs";
import type { Agent, Logger } from "@cca/core";
import type { SnapshotRepository } from "@cca/memory";
import { agentTranscriptPath, claudeConfigDirOf } from "./transcript/index.js";

/** Why a snapshot is taken. */
export type SnapshotReason = "turn_end" | "stop";

/**
 * Claude Code appends a turn to its transcript just after it writes the turn's `result`
 * line, so a turn-end snapshot waits this long for the file to catch up.
 */
const TRANSCRIPT_SETTLE_MS = 300;

/**
 * Agents' context snapshots: at each turn end and stop, the agent's record and its Claude
 * Code transcript (zstd) go to the database; before a conversation is resumed, a transcript
 * that was lost is put back from there. Never fails the work it serves: errors are logged.
 */
export class ContextSnapshots {
  readonly #repository: SnapshotRepository;
  readonly #claudeConfigDir: string;
  readonly #logger: Logger;
  readonly #pending = new Set<Promise<void>>();
  /** Turn-end snapshots waiting for their transcript to settle, by agent. */
  readonly #settling = new Map<string, { timer: NodeJS.Timeout; agent: Agent }>();

  constructor(options: { repository: SnapshotRepository; agentEnv: NodeJS.ProcessEnv; logger: Logger }) {
    this.#repository = options.repository;
    this.#claudeConfigDir = claudeConfigDirOf(options.agentEnv);
    this.#logger = options.logger;
  }

  /** Saves a snapshot of `agent` a moment after its turn ended, once its transcript has caught up. */
  saveAfterTurn(agent: Agent): void {
    const waiting = this.#settling.get(agent.id);
    if (waiting) clearTimeout(waiting.timer);
    const timer = setTimeout(() => {
      this.#settling.delete(agent.id);
      void this.save(agent, "turn_end");
    }, TRANSCRIPT_SETTLE_MS);
    timer.unref();
    this.#settling.set(agent.id, { timer, agent });
  }

  /** Saves a snapshot of `agent` now; resolves when stored (or when storing failed, logged). */
  save(agent: Agent, reason: SnapshotReason): Promise<void> {
    const waiting = this.#settling.get(agent.id);
    if (waiting) {
      clearTimeout(waiting.timer);
      this.#settling.delete(agent.id);
    }
    const saving = this.#repository
      .save({ agent, reason, transcriptPath: this.#transcriptOf(agent) })
      .then(({ snapshot, stored }) =>
        this.#logger.debug("context snapshot saved", {
          agent: agent.id,
          reason,
          stored,
          transcript_bytes: snapshot.transcript?.bytes ?? 0,
        }),
      )
      .catch((error: unknown) =>
        this.#logger.warn("could not save a context snapshot", { agent: agent.id, error: String(error) }),
      );
    this.#pending.add(saving);
    void saving.finally(() => this.#pending.delete(saving));
    return saving;
  }

  /** Puts back the transcript of the conversation `agent` is about to resume, if it is missing. */
  async restore(agent: Agent): Promise<void> {
    const path = this.#transcriptOf(agent);
    if (!path || !agent.session_id || existsSync(path)) return;
    try {
      const snapshot = await this.#repository.latestForSession(agent.session_id, { withTranscript: true });
      if (!snapshot) return;
      await this.#repository.restoreTranscript(snapshot, path);
      this.#logger.info("restored a lost transcript from its snapshot", { agent: agent.id, path });
    } catch (error) {
      this.#logger.warn("could not restore a transcript", { agent: agent.id, error: String(error) });
    }
  }

  /** Saves the turn-end snapshots still settling, and resolves once every snapshot is stored. */
  async flush(): Promise<void> {
    for (const { agent } of [...this.#settling.values()]) void this.save(agent, "turn_end");
    await Promise.all([...this.#pending]);
  }

  #transcriptOf(agent: Agent): string | null {
    if (!agent.session_id) return null;
    return agentTranscriptPath({
      claudeConfigDir: this.#claudeConfigDir,
      cwd: agent.working_dir,
      sessionId: agent.session_id,
    });
  }
}
