import { type AttachServerFrame, AttachServerFrameSchema, agentAttachPath } from "@cca/core";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createPtyEchoDriver } from "./pty-driver.js";
import { startTestDaemon, type TestDaemon } from "./support.js";

const daemons: TestDaemon[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  for (const daemon of daemons.splice(0)) await daemon.close();
});

async function daemonWith(options: Parameters<typeof startTestDaemon>[0] = {}): Promise<TestDaemon> {
  const t = await startTestDaemon(options);
  daemons.push(t);
  return t;
}

type Incoming = AttachServerFrame | { type: "bytes"; text: string };

/** A raw attach client: every frame it gets, parsed, and a way to wait for one. */
class Viewer {
  readonly frames: Incoming[] = [];
  /** Everything the terminal wrote, in order. */
  output = "";
  #waiters = new Set<() => void>();
  closed: Promise<{ code: number; reason: string }>;

  constructor(readonly socket: WebSocket) {
    socket.on("message", (data, isBinary) => {
      const buffer = Buffer.from(data as Buffer);
      if (isBinary) {
        this.output += buffer.toString("utf8");
        this.frames.push({ type: "bytes", text: buffer.toString("utf8") });
      } else {
        this.frames.push(AttachServerFrameSchema.parse(JSON.parse(buffer.toString("utf8"))));
      }
      for (const wake of [...this.#waiters]) wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on("close", (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of [...this.#waiters]) wake();
      });
    });
  }

  /** Resolves with the first frame (from the start) that `matches`. */
  async frame<T extends Incoming>(matches: (frame: Incoming) => frame is T): Promise<T>;
  async frame(matches: (frame: Incoming) => boolean): Promise<Incoming>;
  async frame(matches: (frame: Incoming) => boolean): Promise<Incoming> {
    for (;;) {
      const found = this.frames.find(matches);
      if (found) return found;
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error("the stream closed first");
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#waiters.delete(wake);
          resolve();
        };
        this.#waiters.add(wake);
      });
    }
  }

  /** Resolves once the terminal's output (binary frames) contains `text`. */
  async outputShows(text: string): Promise<void> {
    await this.frame(() => this.output.includes(text));
  }
}

async function attach(
  t: TestDaemon,
  agentId: string,
  token: string | null = t.daemon.token,
): Promise<Viewer> {
  const url = `${t.daemon.url.replace(/^http/, "ws")}${agentAttachPath(agentId)}`;
  const socket = new WebSocket(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  sockets.push(socket);
  const viewer = new Viewer(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  return viewer;
}

/** What an upgrade that is refused answers: the HTTP status and body. */
async function refusal(
  t: TestDaemon,
  path: string,
  token: string | null,
): Promise<{ status: number; body: string }> {
  const socket = new WebSocket(
    `${t.daemon.url.replace(/^http/, "ws")}${path}`,
    token ? { headers: { authorization: `Bearer ${token}` } } : {},
  );
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once("open", () => reject(new Error("the upgrade was accepted")));
    socket.once("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8");
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    socket.once("error", () => {});
  });
}

const isScreen = (frame: Incoming): frame is Extract<Incoming, { type: "screen" }> => frame.type === "screen";

describe("attaching to an interactive agent's terminal", () => {
  it("shows the screen, types into the program and forwards resizes", async () => {
    const t = await daemonWith({ createDriver: createPtyEchoDriver });
    const agent = await t.client.spawnAgent("backend");
    const viewer = await attach(t, agent.id);

    expect(viewer.frames[0]).toMatchObject({ type: "hello", agent_id: agent.id, mode: "terminal" });
    expect((await viewer.frame(isScreen)).data).toContain("ready 80x24");

    viewer.socket.send(Buffer.from("hello\r"));
    await viewer.outputShows("HELLO");

    viewer.socket.send(JSON.stringify({ type: "resize", cols: 100, rows: 30 }));
    await viewer.outputShows("size 100x30");
    expect(viewer.frames).toContainEqual({ type: "resize", cols: 100, rows: 30 });
  });

  it("leaves the agent running on detach, and a viewer joining later gets the current screen", async () => {
    const t = await daemonWith({ createDriver: createPtyEchoDriver });
    const agent = await t.client.spawnAgent("backend");
    const first = await attach(t, agent.id);
    first.socket.send(Buffer.from("abc\r"));
    await first.outputShows("ABC");
    first.socket.close(1000, "detached");
    await first.closed;

    expect(await t.client.getAgent(agent.id)).toMatchObject({ state: "ready" });
    const second = await attach(t, agent.id);
    expect((await second.frame(isScreen)).data).toContain("ABC");
    second.socket.send(Buffer.from("again\r"));
    await second.outputShows("AGAIN");
  });

  it("answers a bad frame with an error frame, and the agent goes on", async () => {
    const t = await daemonWith({ createDriver: createPtyEchoDriver });
    const agent = await t.client.spawnAgent("backend");
    const viewer = await attach(t, agent.id);
    await viewer.frame(isScreen);

    viewer.socket.send("not json");
    viewer.socket.send(JSON.stringify({ type: "resize", cols: 0, rows: 24 }));
    viewer.socket.send(JSON.stringify({ type: "dance" }));
    await viewer.frame(() => viewer.frames.filter((frame) => frame.type === "error").length === 3);
    const errors = viewer.frames.filter((frame) => frame.type === "error");
    expect(errors.map((frame) => frame.code)).toEqual(["bad_frame", "bad_frame", "bad_frame"]);
    expect(errors[0]?.message).toMatch(/must be JSON/);
    expect(errors[1]?.message).toMatch(/cols/);

    viewer.socket.send(Buffer.from("still\r"));
    await viewer.outputShows("STILL");
    expect(await t.client.getAgent(agent.id)).toMatchObject({ state: "ready" });
  });

  it("ends the stream with an exit frame when the agent stops", async () => {
    const t = await daemonWith({ createDriver: createPtyEchoDriver });
    const agent = await t.client.spawnAgent("backend");
    const viewer = await attach(t, agent.id);
    await viewer.frame(isScreen);
    await t.client.stopAgent(agent.id);
    expect(await viewer.frame((frame) => frame.type === "exit")).toMatchObject({ type: "exit" });
    expect((await viewer.closed).code).toBe(1000);
  });
});

describe("the attach endpoint's refusals", () => {
  it("refuses an upgrade without the daemon's token (401), for an unknown agent (404) and at an unknown path (404)", async () => {
    const t = await daemonWith({ createDriver: createPtyEchoDriver });
    const agent = await t.client.spawnAgent("backend");

    expect(await refusal(t, agentAttachPath(agent.id), null)).toMatchObject({ status: 401 });
    expect(await refusal(t, agentAttachPath(agent.id), "wrong")).toMatchObject({ status: 401 });
    const unknown = await refusal(t, agentAttachPath("backend_nope"), t.daemon.token);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain("cca agent list");
    const elsewhere = await refusal(t, "/api/v1/nothing", t.daemon.token);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body).toContain("/acp");
  });
});

describe("attaching to a headless agent's transcript", () => {
  it("streams its activity live, and a message becomes a turn whose answer follows", async () => {
    const t = await daemonWith();
    const agent = await t.client.spawnAgent("backend");
    const viewer = await attach(t, agent.id);
    expect(viewer.frames[0]).toMatchObject({ type: "hello", mode: "transcript", driver: "headless" });

    viewer.socket.send(JSON.stringify({ type: "message", message: "hi there" }));
    const queued = await viewer.frame((frame) => frame.type === "queued");
    const answer = await viewer.frame(
      (frame): frame is Extract<Incoming, { type: "answer" }> => frame.type === "answer",
    );
    expect(answer.task).toMatchObject({ status: "completed", result: "echo: hi there", agent_id: agent.id });
    expect(queued).toMatchObject({ task_id: answer.task.id });
    const kinds = viewer.frames.flatMap((frame) => (frame.type === "activity" ? [frame.event.kind] : []));
    expect(kinds).toEqual(expect.arrayContaining(["task.queued", "task.completed"]));

    viewer.socket.send(Buffer.from("keys"));
    expect(await viewer.frame((frame) => frame.type === "error")).toMatchObject({ code: "not_a_terminal" });
  });
});
