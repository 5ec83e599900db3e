/**
 * Issue 11 §1: the console's events page (filters, CSV download) and the technician's devices page,
 * which keeps itself up to date.
 */
import { Script } from "node:vm";
import { describe, expect, vi } from "vitest";
import type { PdStatus } from "../../drivers/osdp/cpTypes.js";
import { csvField } from "../../gateway/console/eventColumns.js";
import { atMondayPeak, consoleTest, type startConsole } from "../helpers/consoleRig.js";

const BRUNO = "7654321";
const ANNA = "1234567";

const it = consoleTest;

/** A reload the daemon refuses: the file has a problem. */
const refusedReload = async () => ({
  ok: false,
  file: "/etc/accessgw/gateway.yaml",
  changes: [],
  problems: ["readers.0.port: required"],
});

atMondayPeak();

/** Three decisions (Bruno in, Anna in, Bruno out) and a door command whose reason needs quoting. */
async function history(c: Awaited<ReturnType<typeof startConsole>>) {
  await c.scan("pool-in", BRUNO);
  vi.advanceTimersByTime(60_000);
  await c.scan("pool-in", ANNA);
  vi.advanceTimersByTime(60_000);
  await c.scan("pool-out", BRUNO);
  vi.advanceTimersByTime(60_000);
  await c.post("/console/desk/door", "desk", {
    door: "pool-gate",
    mode: "locked",
    reason: 'lanes 1,2 "closed"',
  });
}

describe("events page", () => {
  it("lists the events newest first, each filter narrowing them (card in any written form, reason, kind, time)", async ({
    open,
  }) => {
    const c = await open();
    await history(c);
    const all = await c.page("/console/events", "viewer");
    expect(all.match(/<tr><td>\d+<\/td>/g)).toHaveLength(5);
    expect(all.indexOf("<td>command</td>")).toBeLessThan(all.indexOf("<td>decision</td>"));
    const bruno = await c.page("/console/events?card=0007654321", "viewer");
    expect(bruno.match(/<td>decision<\/td>/g)).toHaveLength(2);
    expect(bruno).not.toContain("Anna");
    const exits = await c.page("/console/events?reason=exit", "viewer");
    expect(exits.match(/<td>decision<\/td>/g)).toHaveLength(1);
    const doors = await c.page("/console/events?kind=door", "viewer");
    expect(doors).toMatch(/<td>door<\/td><td>locked<\/td><td>command<\/td><td>pool-gate<\/td>/);
    expect(doors).not.toContain("<td>decision</td>");
    const window = await c.page("/console/events?since=17:31&until=17:32&member=m-anna", "viewer");
    expect(window.match(/<tr><td>\d+<\/td>/g)).toHaveLength(1);
    expect(window).toContain("<td>Anna</td>");
    expect(await c.page("/console/events?member=m-anna&reader=pool-out", "viewer")).toContain(
      "No events match.",
    );
  });

  it("names a filter it cannot use instead of listing", async ({ open }) => {
    const c = await open();
    const bad = await c.page("/console/events?reason=late&since=yesterday", "viewer");
    expect(bad).toContain("reason &quot;late&quot; is not a reason code");
    const times = await c.page("/console/events?since=18:00&until=17:00", "viewer");
    expect(times).toContain("from 18:00 is after until 17:00");
  });

  it("downloads the same selection as CSV, oldest first, fields quoted as RFC 4180 says, cards masked for a viewer", async ({
    open,
  }) => {
    const c = await open();
    await history(c);
    const res = await c.get("/console/events.csv?card=7654321", "viewer");
    expect(res.headers?.["Content-Type"]).toBe("text/csv; charset=utf-8");
    expect(res.headers?.["Content-Disposition"]).toMatch(
      /^attachment; filename="events-2027-03-22T16-3\d-00\.csv"$/,
    );
    const lines = String(res.body).split("\r\n");
    expect(lines[0]).toBe(
      "seq,time,kind,outcome,reason,door,reader,area,direction,card,member,name,multipack,credits,operator,why,message",
    );
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(
      /^1,2027-03-22 17:30:00,decision,GRANTED,ok,pool-gate,pool-in,pool,in,…4321,m-bruno,Bruno,mp-bruno-/,
    );
    expect(lines[2]).toMatch(
      /^3,2027-03-22 17:32:00,decision,GRANTED,exit,pool-gate,pool-out,pool,out,…4321,/,
    );
    expect(lines[3]).toBe("");
    const desk = String((await c.get("/console/events.csv?kind=door", "desk")).body).split("\r\n");
    expect(desk[1]).toBe(
      '4,2027-03-22 17:33:00,door,locked,command,pool-gate,,,,,,,,,giulia,"lanes 1,2 ""closed""",',
    );
    expect(String((await c.get("/console/events.csv?card=7654321", "desk")).body)).toContain(
      `,${BRUNO},m-bruno,`,
    );
    const late = String((await c.get("/console/events.csv?since=2027-03-22 17:32", "viewer")).body).split(
      "\r\n",
    );
    expect(late.slice(1, -1).map((l) => l.split(",").slice(0, 3).join(","))).toEqual([
      "3,2027-03-22 17:32:00,decision",
      "4,2027-03-22 17:33:00,door",
      "5,2027-03-22 17:33:00,command",
    ]);
    expect(String((await c.get("/console/events.csv?since=2027-03-23 00:00", "viewer")).body)).toBe(
      `${lines[0]}\r\n`,
    );
  });

  it("CSV: a field a spreadsheet would run as a formula is made text; numbers stay numbers", () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField("@sum")).toBe("'@sum");
    expect(csvField("-2")).toBe("-2");
    expect(csvField("line\nbreak")).toBe('"line\nbreak"');
  });
});

describe("devices page", () => {
  it("issue 13 §6: shows an OSDP reader's PD under its health, and its tamper among the problems", async ({
    open,
  }) => {
    const c = await open(refusedReload);
    const reader = c.rig.readers.get("pool-in");
    if (!reader) throw new Error("the rig has no pool-in reader");
    const pd: PdStatus = {
      address: 101,
      online: true,
      secureChannel: "failed",
      reason: "SC_CRYPTOGRAM_MISMATCH",
      tamper: true,
      powerFailure: false,
    };
    // As drivers/readers/osdpReader.ts reports its PD.
    Object.assign(reader, {
      details: () => ({ driver: "osdp", port: "/dev/ttyUSB2", ...pd, key: "refused" }),
    });
    reader.state("open");
    const page = await c.page("/console/devices", "technician");
    expect(page).toContain(
      '<br><span data-osdp="101">PD 101 online · secure channel FAILED (SC_CRYPTOGRAM_MISMATCH) · TAMPER · power ok</span>',
    );
    expect(page).toContain(
      "<li>reader pool-in: OSDP PD 101 tamper: the reader was opened or taken off the wall</li>",
    );
  });

  it("shows the technician each device in detail; reload and log level go to the daemon with who asked", async ({
    open,
  }) => {
    const c = await open(refusedReload);
    c.rig.readers.get("pool-in")?.state("open");
    await c.scan("pool-in", BRUNO);
    const page = await c.page("/console/devices", "technician");
    expect(page).toMatch(
      /<tr data-device="pool-in"><td>pool-in<\/td><td>serial-line<\/td><td><span class="good">GOOD<\/span><\/td>/,
    );
    expect(page).toContain("scans 1 · grants 1 · denies 0");
    // The status holds the last scan's card masked (it is written to a file); the technician, like
    // the desk, sees it whole, read from the recorded event.
    expect(page).toContain("17:30:00 GRANTED ok, card 7654321");
    expect(page).toMatch(/<tr data-device="board">.*pulses 1/);
    expect((await c.get("/console/devices", "desk")).status).toBe(403);

    const reload = await c.post("/console/devices/reload", "technician", {});
    expect(reload.headers?.Location).toBe("/console/devices");
    expect(c.asked.reloads).toBe(1);
    expect(await c.page("/console/devices", "technician")).toContain(
      "reload refused, the running configuration stays: readers.0.port: required",
    );

    await c.post("/console/devices/log-level", "technician", {
      level: "debug",
      for: "10m",
      why: "reader drops",
    });
    expect(c.asked.logLevels).toEqual([
      { daemon: "log-level", level: "debug", forMs: 600_000, who: "tomas", why: "reader drops" },
    ]);
    expect(await c.page("/console/devices", "technician")).toContain("log level debug (configured: info)");
    await c.post("/console/devices/log-level", "technician", { level: "debug", for: "3 days" });
    expect(c.asked.logLevels).toHaveLength(1);
    expect(await c.page("/console/devices", "technician")).toContain(
      "for &quot;3 days&quot; is not a duration",
    );
  });

  it("keeps itself up to date: its script fetches the device sections again, which follow the status; the forms stay", async ({
    open,
  }) => {
    const c = await open();
    const page = await c.page("/console/devices", "technician");
    expect(page).toContain('<div id="devices" data-refresh="/console/devices/sections">');
    expect(page).toContain('<script src="/console/assets/devices.js"');
    const before = await c.page("/console/devices/sections", "technician");
    expect(before).toMatch(/<tr data-device="pool-in">.*<span class="bad">BAD<\/span>/);
    expect(before).not.toContain("<form");
    // The reader's port opens: the next fetch of the sections says so, without the page's reload.
    c.rig.readers.get("pool-in")?.state("open");
    expect(await c.page("/console/devices/sections", "technician")).toMatch(
      /<tr data-device="pool-in">.*<span class="good">GOOD<\/span>/,
    );
    expect((await c.get("/console/devices/sections", "desk")).status).toBe(403);
    const js = await c.get("/console/assets/devices.js");
    expect(String(js.body)).toContain("box.dataset.refresh");
    // Served as it is: a syntax error would only show in a browser.
    expect(() => new Script(String(js.body))).not.toThrow();
  });
});
