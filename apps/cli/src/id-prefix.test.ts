import { describe, expect, it } from "vitest";
import { UsageError } from "./exit-codes.ts";
import { matchIdPrefix } from "./id-prefix.ts";

const kind = { noun: "task" };
const ids = ["task_db824452b2874203bd4b", "task_db83a1c07e9f4d21aa10"];

describe("matchIdPrefix", () => {
  it("takes the one id a prefix names, or the id itself", () => {
    expect(matchIdPrefix("task_db82", ids, kind)).toBe(ids[0]);
    expect(matchIdPrefix(ids[1]!, ids, kind)).toBe(ids[1]);
  });

  it("refuses an ambiguous prefix as a usage error naming the candidates", () => {
    expect(() => matchIdPrefix("task_db8", ids, kind)).toThrow(
      new UsageError(`"task_db8" could be any of 2 task ids: ${ids.join(", ")}. Give more of the id.`),
    );
  });

  it("finds nothing for a prefix no id has", () => {
    expect(matchIdPrefix("task_ff", ids, kind)).toBeUndefined();
  });
});
