/** Something another process was asked for got no answer in time. */
export class DeadlineExceeded extends Error {
  constructor(
    readonly ms: number,
    message = `no answer within ${ms} ms`,
  ) {
    super(message);
    this.name = "DeadlineExceeded";
  }
}

/**
 * Resolves or rejects as `work` does, or rejects with DeadlineExceeded after `ms`. A late
 * rejection of `work` is handled here, so giving up never leaves an unhandled rejection.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, message?: string): Promise<T> {
  work.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(ms, message)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether `work` settled, either way, within `ms`. Never rejects. */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  try {
    await withDeadline(work, ms);
    return true;
  } catch (error) {
    return !(error instanceof DeadlineExceeded);
  }
}
