/** `work`'s result, or a rejection saying what was awaited once `timeoutMs` passed. */
export async function within<T>(work: Promise<T>, timeoutMs: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Waited ${timeoutMs} ms for ${what()}`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * True if `work` is still unsettled after `ms`: for checking that something does NOT
 * happen (a second run starting, `stop` returning early) without a sleep that a pass
 * depends on.
 */
export async function staysPending(work: Promise<unknown>, ms: number): Promise<boolean> {
  const pending = Symbol("pending");
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    work.then(
      () => "settled",
      () => "settled",
    ),
    new Promise<typeof pending>((resolve) => {
      timer = setTimeout(() => resolve(pending), ms);
    }),
  ]);
  clearTimeout(timer);
  return result === pending;
}
