import { TaskProgress } from "@cca/acp";
import type { AcpClient } from "@cca/acp/ws";

/**
 * Routes `task/progress` notifications to the delegation they belong to: a connection
 * has one handler per method, and several delegations run at once.
 */
export class ProgressRouter {
  readonly #listeners = new Map<string, (summary: string) => void>();

  constructor(acp: Pick<AcpClient, "onNotification">) {
    acp.onNotification(TaskProgress, (progress) => {
      if (progress.delegation_id) this.#listeners.get(progress.delegation_id)?.(progress.summary);
    });
  }

  /** Calls `listener` with each summary for `delegationId` until the returned function is called. */
  listen(delegationId: string, listener: (summary: string) => void): () => void {
    this.#listeners.set(delegationId, listener);
    return () => this.#listeners.delete(delegationId);
  }
}
