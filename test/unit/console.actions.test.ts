/** Issue 11 §1: the console's front-desk actions (doors.md D5), live stream, events download and device actions. */
import { describe, expect, vi } from "vitest";
import { KEEPALIVE_MS, PANELS_COALESCE_MS } from "../../gateway/console/livePage.js";
import { Notices } from "../../gateway/console/viewParts.js";
import { memberBalance } from "../../gateway/decisions.js";
import type { Store } from "../../gateway/store/db.js";
import { listAllEvents, listEvents } from "../../gateway/store/events.js";
import { atMondayPeak, consoleTest, request, sessionOf } from "../helpers/consoleRig.js";

const BRUNO = "7654321";

const it = consoleTest;

atMondayPeak();

const credits = (store: Store) =>
  Object.fromEntries(
    memberBalance(store, { card: BRUNO }, Date.now()).multipacks.map((m) => [
      m.multipackId,
      m.creditsRemaining,
    ]),
  );

describe("D5 through the console", () => {
  it("D5 admit: charges the pack chosen, operator the logged-in user, and answers with the outcome after a redirect (PRG)", async ({
    open,
    exampleStore: store,
  }) => {
    const c = await open();
    expect(credits(store)).toMatchObject({ "mp-bruno-swim": 2 });
    // The flex pack cannot pay at the pool now: refused, though a plain scan would charge the swim pack.
    await c.post("/console/desk/admit", "desk", {
      card: BRUNO,
      reader: "pool-in",
      pack: "mp-bruno-flex",
      reason: "reader broken",
      back: "/console/member/m-bruno",
    });
    expect(await c.page("/console/member/m-bruno", "desk")).toMatch(
      /<p class="notice bad" role="status">admit refused: outside_time_window: /,
    );
    expect(credits(store)).toMatchObject({ "mp-bruno-swim": 2 });
    const res = await c.post("/console/desk/admit", "desk", {
      card: BRUNO,
      reader: "pool-in",
      pack: "mp-bruno-swim",
      reason: "reader broken",
      back: "/console/member/m-bruno",
    });
    expect(res.status).toBe(303);
    expect(res.headers?.Location).toBe("/console/member/m-bruno");
    expect(credits(store)).toMatchObject({ "mp-bruno-swim": 0 });
    expect(listEvents(store)[1]).toMatchObject({
      multipackId: "mp-bruno-swim",
      creditsDeducted: 2,
      operator: "giulia",
      staffReason: "reader broken",
    });
    const page = await c.page("/console/member/m-bruno", "desk");
    expect(page).toMatch(/<p class="notice ok" role="status">admitted: Welcome Bruno[^<]*\(ok\)<\/p>/);
    expect(page).toMatch(/data-pack="mp-bruno-swim">.*<td class="credits">0 of 10 left<\/td>/);
    // The notice is shown once.
    expect(await c.page("/console/member/m-bruno", "desk")).not.toContain('class="notice');
  });

  it("D5: an action without a reason is refused and does nothing; the form asks for one", async ({
    open,
    exampleStore: store,
  }) => {
    const c = await open();
    expect(await c.page("/console/desk", "desk")).toContain('<input name="reason" required');
    const res = await c.post("/console/desk/open", "desk", { door: "pool-gate", reason: "  " });
    expect(res.headers?.Location).toBe("/console/desk");
    expect(listAllEvents(store)).toEqual([]);
    expect(c.rig.relays.get("board")?.log.filter((l) => l.startsWith("pulse"))).toEqual([]);
    expect(await c.page("/console/desk", "desk")).toContain(
      "open not done: a reason is required (it is recorded with your name)",
    );
  });

  it("D5 door: a locked door shows as locked on the live page, and back to normal", async ({
    open,
    exampleStore,
  }) => {
    const c = await open();
    await c.post("/console/desk/door", "desk", {
      door: "pool-gate",
      mode: "locked",
      reason: "pool cleaning",
    });
    expect(await c.page("/console/desk", "desk")).toContain("door pool-gate is now locked");
    let live = await c.page("/console/live", "viewer");
    expect(live).toMatch(
      /<td>pool-gate<\/td><td><strong>locked<\/strong><\/td><td>command · by giulia · pool cleaning<\/td>/,
    );
    await c.scan("pool-in", BRUNO);
    expect(listEvents(exampleStore).at(-1)).toMatchObject({ decision: "deny" });
    await c.post("/console/desk/door", "desk", {
      door: "pool-gate",
      mode: "unlocked",
      until: "18:00",
      reason: "gala",
    });
    expect(await c.page("/console/live", "viewer")).toMatch(
      /<td>pool-gate<\/td><td><strong>unlocked<\/strong><\/td><td>command · until 2027-03-22 18:00:00 · by giulia · gala<\/td>/,
    );
    await c.post("/console/desk/door", "desk", { door: "pool-gate", mode: "normal", reason: "done" });
    live = await c.page("/console/live", "viewer");
    expect(live).toMatch(/<td>pool-gate<\/td><td><strong>normal<\/strong>/);
  });

  it("D5 open and emergency: done with the user as operator; a refusal says why", async ({
    open,
    exampleStore,
  }) => {
    const c = await open();
    await c.post("/console/desk/open", "desk", { door: "pool-gate", direction: "in", reason: "pram" });
    expect(await c.page("/console/desk", "desk")).toContain("door pool-gate opened once");
    await c.post("/console/desk/emergency", "desk", { on: "1", reason: "fire drill" });
    expect(await c.page("/console/live", "viewer")).toMatch(/<strong>emergency<\/strong>/);
    await c.post("/console/desk/emergency", "desk", { on: "0", reason: "drill over" });
    await c.post("/console/desk/open", "desk", { door: "spa", reason: "test" });
    expect(await c.page("/console/desk", "desk")).toContain(
      "open refused: unknown_door: unknown door &quot;spa&quot; (the gateway has: pool-gate)",
    );
    const commands = listAllEvents(exampleStore).filter((e) => e.kind === "command");
    expect(commands.map((e) => [e.verb, e.ok, e.operator, e.origin])).toEqual([
      ["open", true, "giulia", "local"],
      ["emergency", true, "giulia", "local"],
      ["emergency", true, "giulia", "local"],
      ["open", false, "giulia", "local"],
    ]);
  });

  it("issue 11 §3: a viewer may not act (403, nothing done), and a POST without the CSRF token is refused", async ({
    open,
    exampleStore,
  }) => {
    const c = await open();
    expect((await c.post("/console/desk/open", "viewer", { door: "pool-gate", reason: "x" })).status).toBe(
      403,
    );
    const forged = await c.post("/console/desk/open", "desk", { door: "pool-gate", reason: "x", _csrf: "" });
    expect(forged.status).toBe(403);
    expect(listAllEvents(exampleStore)).toEqual([]);
  });

  it("keeps an outcome for its session's next page only, and at most 1000 sessions' outcomes", () => {
    const notices = new Notices();
    const session = (n: number) => ({ ...sessionOf("desk"), id: `s-${n}` });
    for (let n = 0; n <= 1000; n++) notices.set(session(n), { ok: true, text: `done ${n}` });
    expect(notices.take(session(0))).toBeUndefined();
    expect(notices.take(session(1000))).toEqual({ ok: true, text: "done 1000" });
    expect(notices.take(session(1000))).toBeUndefined();
    expect(notices.take(session(1))).toEqual({ ok: true, text: "done 1" });
  });

  it("sends the browser back only to a console page", async ({ open }) => {
    const c = await open();
    const res = await c.post("/console/desk/open", "desk", {
      door: "pool-gate",
      reason: "x",
      back: "//evil.example/x",
    });
    expect(res.headers?.Location).toBe("/console/desk");
  });
});

describe("live stream", () => {
  it("delivers each decision as an SSE event as soon as its door is signalled (admits too), and stops when the page leaves", async ({
    open,
  }) => {
    const c = await open();
    const res = await c.get("/console/live/stream", "viewer");
    expect(res.headers?.["Content-Type"]).toBe("text/event-stream; charset=utf-8");
    const chunks: string[] = [];
    const pulsesWhenSent: number[] = [];
    const board = c.rig.relays.get("board");
    const close = res.stream?.open(
      (chunk) => {
        chunks.push(chunk);
        if (chunk.startsWith("event: decision"))
          pulsesWhenSent.push(board?.log.filter((l) => l.startsWith("pulse")).length ?? 0);
      },
      () => {},
    );
    c.rig.present("pool-in", BRUNO);
    // The live page never delays a door: the decision is sent once the pulse has been asked for.
    expect(chunks.filter((s) => s.startsWith("event: decision"))).toEqual([]);
    await Promise.resolve();
    expect(pulsesWhenSent).toEqual([1]);
    const decision = chunks.find((s) => s.startsWith("event: decision"));
    expect(decision).toBeDefined();
    const data = JSON.parse(/^data: (.*)$/m.exec(decision ?? "")?.[1] ?? "{}");
    expect(data).toMatchObject({
      door: "pool-gate",
      decision: "GRANTED",
      name: "Bruno",
      reason: "ok",
      card: "…4321",
    });
    expect(data.time).toBe("2027-03-22 17:30:00");
    vi.advanceTimersByTime(KEEPALIVE_MS);
    expect(chunks.at(-1)).toBe(": keepalive\n\n");
    await c.post("/console/desk/admit", "desk", {
      card: "5550001",
      reader: "pool-in",
      pack: "free",
      reason: "trial",
    });
    expect(chunks.filter((s) => s.startsWith("event: decision"))).toHaveLength(2);
    close?.();
    const seen = chunks.length;
    vi.advanceTimersByTime(5000);
    await c.scan("pool-out", BRUNO);
    vi.advanceTimersByTime(KEEPALIVE_MS);
    expect(chunks).toHaveLength(seen);
  });

  it("tells an open live page to fetch its panels when a door's mode is set, once for a burst of changes", async ({
    open,
  }) => {
    const c = await open();
    const res = await c.get("/console/live/stream", "viewer");
    const chunks: string[] = [];
    res.stream?.open(
      (chunk) => chunks.push(chunk),
      () => {},
    );
    const panels = () => chunks.filter((s) => s.startsWith("event: panels")).length;
    await c.post("/console/desk/door", "desk", { door: "pool-gate", mode: "locked", reason: "cleaning" });
    await c.post("/console/desk/door", "desk", { door: "pool-gate", mode: "normal", reason: "done" });
    expect(panels()).toBe(0);
    vi.advanceTimersByTime(PANELS_COALESCE_MS);
    expect(panels()).toBe(1);
    vi.advanceTimersByTime(KEEPALIVE_MS);
    expect(panels()).toBe(1);
  });

  it("ends a stream when its session ends (logout, expiry): the next decision is not sent, nor a keepalive", async ({
    open,
  }) => {
    const c = await open();
    const res = await c.get("/console/live/stream", "viewer");
    const chunks: string[] = [];
    const end = vi.fn();
    res.stream?.open((chunk) => chunks.push(chunk), end);
    await c.scan("pool-in", BRUNO);
    expect(chunks.filter((s) => s.startsWith("event: decision"))).toHaveLength(1);

    c.ended.add(sessionOf("viewer").id);
    await c.scan("pool-out", BRUNO);
    expect(chunks.filter((s) => s.startsWith("event: decision"))).toHaveLength(1);
    expect(end).toHaveBeenCalled();
    const seen = chunks.length;
    vi.advanceTimersByTime(KEEPALIVE_MS);
    expect(chunks).toHaveLength(seen);
  });

  it("sends a stream opened after its page the decisions recorded in between, and a reconnect only what it missed", async ({
    open,
  }) => {
    const c = await open();
    const page = await c.page("/console/live", "viewer");
    const streamUrl = /data-stream="([^"]+)"/.exec(page)?.[1]?.replaceAll("&amp;", "&") ?? "";
    expect(streamUrl).toMatch(/^\/console\/live\/stream\?after=\d+$/);
    // The card is scanned after the page was made and before its script connects.
    await c.scan("pool-in", BRUNO);
    const decisions = (res: Awaited<ReturnType<typeof c.get>>) => {
      const chunks: string[] = [];
      const close = res.stream?.open(
        (chunk) => chunks.push(chunk),
        () => {},
      );
      close?.();
      return chunks.filter((s) => s.startsWith("event: decision"));
    };
    const sent = decisions(await c.get(streamUrl, "viewer"));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('"name":"Bruno"');
    const seq = /^id: (\d+)$/m.exec(sent[0] ?? "")?.[1] ?? "";
    // EventSource reconnects to the same address with the id it saw last: nothing is sent twice.
    const again = request("GET", streamUrl, "viewer");
    again.headers["last-event-id"] = seq;
    expect(decisions((await c.router.handle(again)) ?? { status: 404 })).toEqual([]);
    // A stream without either (an old page) starts with what comes next, as before.
    expect(decisions(await c.get("/console/live/stream", "viewer"))).toEqual([]);
  });

  it("shows a new page the decisions before it opened, newest first", async ({ open }) => {
    const c = await open();
    await c.scan("pool-in", BRUNO);
    vi.advanceTimersByTime(5000);
    await c.scan("pool-out", BRUNO);
    const page = await c.page("/console/live", "viewer");
    expect(page.indexOf("<td>exit</td>")).toBeGreaterThan(0);
    expect(page.indexOf("<td>exit</td>")).toBeLessThan(page.indexOf("<td>ok</td>"));
  });
});
