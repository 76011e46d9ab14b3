import { describe, expect, it } from "vitest";
import { cleanUp, fixture, nextFrame, readFramesUntil, readToEnd, recordOutput } from "../test/helpers.js";
import { spawnPtySession } from "./pty-session.js";
import type { ViewerFrame } from "./viewer.js";

const node = process.execPath;
const FLOOD_LINES = 20_000; // 100 bytes each: 2 MB of output
const LAST_FLOOD_LINE = `line ${String(FLOOD_LINES - 1).padStart(6, "0")}`;

function outputOf(frames: ViewerFrame[]): string {
  return frames.map((frame) => (frame.type === "output" ? frame.data : "")).join("");
}

describe("PtySession", () => {
  it("gives a viewer that joins late the current screen with its cursor, then the live output", async () => {
    const session = cleanUp(spawnPtySession(node, [fixture("draw.js")], { cols: 80, rows: 24 }));
    await recordOutput(session.process).waitFor("ready");

    const viewer = session.attach();
    const screen = await nextFrame(viewer);
    expect(screen).toMatchObject({ type: "screen", cols: 80, rows: 24, cursor: { x: 7, y: 7 } });
    expect(screen.type === "screen" && screen.data).toContain("MARKER");
    const lines = await session.screenText();
    expect(lines[4]).toBe(`${" ".repeat(9)}MARKER`);
    expect(lines[7]).toBe("  ready");

    session.write("go\r");
    const { output } = await readFramesUntil(viewer, (_, text) => text.includes("after go"));
    expect(output).toContain("\x1b[12;1Hafter go");
  });

  it("gives every viewer the live output, and one leaving does not disturb the others", async () => {
    const session = cleanUp(spawnPtySession(node, [fixture("echo.js")]));
    await recordOutput(session.process).waitFor("ready");
    const viewers = [session.attach(), session.attach(), session.attach()];
    for (const viewer of viewers) expect((await nextFrame(viewer)).type).toBe("screen");
    expect(session.viewerCount).toBe(3);

    session.write("one\r");
    for (const viewer of viewers) await readFramesUntil(viewer, (_, text) => text.includes("echo: one"));

    const [first, leaving, third] = viewers as [
      (typeof viewers)[0],
      (typeof viewers)[0],
      (typeof viewers)[0],
    ];
    leaving.close();
    expect(session.viewerCount).toBe(2);
    expect(await leaving.next()).toEqual({ done: true, value: undefined });
    expect(leaving.closeReason?.code).toBe("detached");

    const late = session.attach();
    const lateScreen = await nextFrame(late);
    expect(lateScreen.type === "screen" && lateScreen.data).toContain("echo: one");

    session.write("two\r");
    for (const viewer of [first, third, late]) {
      await readFramesUntil(viewer, (_, text) => text.includes("echo: two"));
    }
  });

  it("resizes the emulator with the PTY and tells viewers before the program's redraw", async () => {
    const session = cleanUp(spawnPtySession(node, [fixture("size.js")], { cols: 80, rows: 24 }));
    const output = recordOutput(session.process);
    await output.waitFor("size 80x24");
    const viewer = session.attach();
    await nextFrame(viewer);

    session.resize(100, 30);
    const { frames } = await readFramesUntil(viewer, (_, text) => text.includes("size 100x30"));
    expect(frames[0]).toEqual({ type: "resize", cols: 100, rows: 30 });
    const snapshot = await session.snapshot();
    expect({ cols: snapshot.cols, rows: snapshot.rows }).toEqual({ cols: 100, rows: 30 });
    expect((await session.screenText()).length).toBe(30);
  });

  it("ends every viewer with the exit after the last output", async () => {
    const session = spawnPtySession(node, [fixture("echo.js")]);
    await recordOutput(session.process).waitFor("ready");
    const viewer = session.attach();
    session.write("bye\r");
    session.write("exit\r");
    const frames = await readToEnd(viewer);
    expect(frames.at(-1)).toEqual({ type: "exit", code: 0, signal: null });
    expect(outputOf(frames)).toContain("echo: bye");
    expect(viewer.closeReason?.code).toBe("exited");
    expect(await session.exited).toEqual({ code: 0, signal: null });
    expect(session.viewerCount).toBe(0);
  });

  it("gives a viewer attaching after the exit the last screen and the exit", async () => {
    const session = spawnPtySession(node, [fixture("exit.js"), "code", "3"]);
    await session.exited;
    const frames = await readToEnd(session.attach());
    expect(frames).toHaveLength(2);
    expect(frames[0]?.type === "screen" && frames[0].data).toContain("exiting by code 3");
    expect(frames[1]).toEqual({ type: "exit", code: 3, signal: null });
  });

  it("disconnects a viewer that does not read, while the process and a reading viewer go on", async () => {
    const session = cleanUp(spawnPtySession(node, [fixture("flood.js"), String(FLOOD_LINES)]));
    await recordOutput(session.process).waitFor("ready");
    const slow = session.attach({ maxBufferedBytes: 64 * 1024 });
    const reader = session.attach();
    const reading = readToEnd(reader, 20_000);

    session.write("go\r");
    expect(await slow.closed).toMatchObject({
      code: "slow_viewer",
      message: /fell more than 65536 bytes behind/,
    });
    const frames = await reading;
    expect(outputOf(frames)).toContain(`${LAST_FLOOD_LINE} `);
    expect(frames.at(-1)).toEqual({ type: "exit", code: 0, signal: null });
    expect(await slow.next()).toEqual({ done: true, value: undefined });
  }, 30_000);

  it("resyncs a slow viewer that asks for it with a fresh screen instead of cutting it", async () => {
    const session = cleanUp(spawnPtySession(node, [fixture("flood.js"), String(FLOOD_LINES)]));
    await recordOutput(session.process).waitFor("ready");
    const viewer = session.attach({ maxBufferedBytes: 64 * 1024, onOverflow: "resync" });
    session.write("go\r");
    await session.exited;

    // Unread, every earlier screen was dropped with the output behind it: one fresh screen is left.
    const frames = await readToEnd(viewer, 20_000);
    expect(frames[0]?.type).toBe("screen");
    expect(frames.filter((frame) => frame.type === "screen")).toHaveLength(1);
    expect(Buffer.byteLength(outputOf(frames))).toBeLessThanOrEqual(64 * 1024);
    const screen = frames[0]?.type === "screen" ? frames[0].data : "";
    expect(screen).not.toContain("ready");
    expect(screen + outputOf(frames)).toContain(`${LAST_FLOOD_LINE} `);
    expect(screen + outputOf(frames)).toContain("done");
    expect(frames.at(-1)).toEqual({ type: "exit", code: 0, signal: null });
    expect(viewer.closeReason?.code).toBe("exited");
  }, 30_000);

  it("keeps only the last scrollbackBytes of raw output", async () => {
    const session = spawnPtySession(node, [fixture("flood.js"), String(FLOOD_LINES)], {
      scrollbackBytes: 10_000,
    });
    await recordOutput(session.process).waitFor("ready");
    session.write("go\r");
    await session.exited;
    const text = session.scrollback.read();
    expect(session.scrollback.byteLength).toBeLessThanOrEqual(10_000);
    expect(session.scrollback.byteLength).toBeGreaterThan(9_000);
    expect(text).toMatch(/done\r+\n$/);
    expect(text).toContain(LAST_FLOOD_LINE);
    expect(text).not.toContain("line 000000");
    expect(session.scrollback.droppedBytes).toBeGreaterThan(FLOOD_LINES * 100 - 10_000);
  }, 30_000);

  it("answers the program's cursor position query as a terminal would", async () => {
    const session = spawnPtySession(node, [fixture("cursor-query.js")]);
    const output = recordOutput(session.process);
    expect(await session.process.waitForExit(5000)).toEqual({ code: 0, signal: null });
    expect(output.text).toContain(`answer: ${JSON.stringify("\x1b[3;7R")}`);
  });

  it("cuts its viewers when disposed and refuses new ones", async () => {
    const session = cleanUp(spawnPtySession(node, [fixture("echo.js")]));
    const viewer = session.attach();
    session.dispose();
    expect(await viewer.closed).toMatchObject({ code: "disposed" });
    expect(() => session.attach()).toThrowError(/was disposed; nothing to attach to/);
    await expect(session.snapshot()).rejects.toMatchObject({ code: "disposed" });
  });

  it("rejects bad viewer options", () => {
    const session = cleanUp(spawnPtySession(node, [fixture("echo.js")]));
    expect(() => session.attach({ maxBufferedBytes: 0 })).toThrowError(
      /maxBufferedBytes must be a positive integer/,
    );
    expect(() => session.attach({ onOverflow: "drop" as "resync" })).toThrowError(/onOverflow must be/);
    expect(session.viewerCount).toBe(0);
  });
});
