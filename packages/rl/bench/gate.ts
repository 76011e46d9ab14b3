// A gate that is not a train-then-evaluate preset (MCTS plays games; Decision Transformer
// trains offline against a baseline): it runs for a seed and says whether it passed.

export interface CustomGate {
  algorithm: string;
  env: string;
  /** What passing means, for the report. */
  description: string;
  run(
    seed: number,
    log: (line: string) => void,
  ): Promise<{ result: Record<string, unknown>; passed: boolean; summary: string }>;
}
