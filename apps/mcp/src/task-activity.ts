import type { DaemonClient, Logger } from "@cca/core";

/** Follows the daemon's event stream for one task and its subtasks, keeping the latest news. */
export interface TaskActivityWatcher {
  /** The latest event's summary, e.g. `coordinator: running Bash: npm test`; undefined before any. */
  latest(): string | undefined;
  /** Closes the event stream. */
  stop(): void;
}

export interface WatchTaskActivityOptions {
  client: DaemonClient;
  taskId: string;
  logger: Logger;
  /** Stops watching when it aborts, as `stop()` does. */
  signal?: AbortSignal;
}

/**
 * Subscribes to `client.events()` and keeps the summary of the latest event of the task or of
 * any subtask delegated from it (found through `parent_id`, looked up once per task id).
 * A broken or missing stream is not an error: `latest()` then stays as it was.
 */
export function watchTaskActivity(options: WatchTaskActivityOptions): TaskActivityWatcher {
  const { client, taskId, logger } = options;
  const controller = new AbortController();
  const stop = () => controller.abort();
  options.signal?.addEventListener("abort", stop, { once: true });

  const relatedTasks = new Map<string, Promise<boolean>>([[taskId, Promise.resolve(true)]]);
  let latest: string | undefined;

  function isRelated(id: string): Promise<boolean> {
    let known = relatedTasks.get(id);
    if (!known) {
      known = client.getTask(id).then(
        (task) => (task.parent_id ? isRelated(task.parent_id) : false),
        () => false,
      );
      relatedTasks.set(id, known);
    }
    return known;
  }

  void (async () => {
    try {
      for await (const event of client.events(controller.signal)) {
        if (!event.task_id || !event.summary || !(await isRelated(event.task_id))) continue;
        latest = event.summary;
      }
    } catch (error) {
      if (!controller.signal.aborted) logger.debug("activity stream ended", { task_id: taskId, error });
    } finally {
      options.signal?.removeEventListener("abort", stop);
    }
  })();

  return { latest: () => latest, stop };
}
