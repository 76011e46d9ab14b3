/**
 * Exits when the process that started this one is gone. Claude Code talks to MCP servers
 * over a socket pair that outlives it when it is killed, so a closed stdin cannot be
 * relied on to notice; an orphan is re-parented, and that is what this watches for.
 */
export function exitWithParent(
  onOrphaned: () => void,
  options: { intervalMs?: number; parentIsNeverInit?: boolean } = {},
): void {
  const parent = process.ppid;
  // A parent that died while this program was still loading leaves it with init (pid 1)
  // from the start; where the real parent is never init, that already means "gone".
  if (options.parentIsNeverInit && parent === 1) {
    onOrphaned();
    return;
  }
  const intervalMs = options.intervalMs ?? 1000;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onOrphaned();
    }
  }, intervalMs);
  timer.unref();
}
