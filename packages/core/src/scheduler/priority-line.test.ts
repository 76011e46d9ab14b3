import { describe, expect, it } from "vitest";
import type { TaskPriority } from "../domain/schemas.js";
import { checkPriority, PriorityLine } from "./priority-line.js";

function drain(line: PriorityLine): string[] {
  const ids: string[] = [];
  for (let place = line.shift(); place; place = line.shift()) ids.push(place.id);
  return ids;
}

describe("PriorityLine", () => {
  it("serves critical, high, normal, low, first come first served within each", () => {
    const line = new PriorityLine();
    const arrivals: [string, TaskPriority][] = [
      ["low-1", "low"],
      ["normal-1", "normal"],
      ["critical-1", "critical"],
      ["high-1", "high"],
      ["normal-2", "normal"],
    ];
    for (const [id, priority] of arrivals) line.push(id, priority);
    expect(line.size).toBe(5);
    expect(drain(line)).toEqual(["critical-1", "high-1", "normal-1", "normal-2", "low-1"]);
  });

  it("puts a restored place ahead of the later arrivals of its priority, behind the earlier ones", () => {
    const line = new PriorityLine();
    line.push("first", "normal");
    const taken = line.push("second", "normal");
    line.push("third", "normal");
    expect(line.remove("second")).toBe(true);
    line.push("fourth", "normal");
    line.restore(taken);
    expect(drain(line)).toEqual(["first", "second", "third", "fourth"]);
  });

  it("takes an id out of line, and says whether it was there", () => {
    const line = new PriorityLine();
    line.push("a", "high");
    expect(line.has("a")).toBe(true);
    expect(line.remove("a")).toBe(true);
    expect(line.remove("a")).toBe(false);
    expect(line.has("a")).toBe(false);
    expect(line.shift()).toBeUndefined();
  });

  it("refuses an unknown priority, naming the known ones", () => {
    expect(() => checkPriority({ taskId: "t", priority: "urgent" as TaskPriority })).toThrow(
      /Unknown priority "urgent" for task t; known: critical, high, normal, low/,
    );
  });
});
