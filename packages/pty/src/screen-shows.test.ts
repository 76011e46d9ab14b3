import { describe, expect, it } from "vitest";
import { cleanUp, fixture } from "../test/helpers.js";
import { spawnPtySession } from "./pty-session.js";
import { screenShows } from "./screen-shows.js";

const node = process.execPath;

describe("screenShows", () => {
  it("resolves with the screen once the text is drawn, after output that comes later", async () => {
    const session = cleanUp(spawnPtySession(node, [fixture("echo.js")]));
    await screenShows(session, "ready");
    const shown = screenShows(session, "echo: later");
    session.write("later\r");
    expect((await shown).some((line) => line.includes("echo: later"))).toBe(true);
  });

  it("rejects with the screen when the program exits before the text shows", async () => {
    const session = cleanUp(spawnPtySession(node, [fixture("exit.js"), "code", "3"]));
    await expect(screenShows(session, "never drawn")).rejects.toThrow(/exited before "never drawn" showed/);
  });
});
