/** Issue 11 §1: the gateway console's pages, through its router, on a running gateway with the worked example. */
import { Script } from "node:vm";
import { describe, expect, vi } from "vitest";
import { formatDecision } from "../../gateway/cliFormat.js";
import { health } from "../../gateway/console/livePage.js";
import { explain, siteModel } from "../../gateway/decisions.js";
import { at } from "../helpers/build.js";
import { atMondayPeak, consoleTest } from "../helpers/consoleRig.js";

const BRUNO = "7654321";
const ANNA = "1234567";

const it = consoleTest;

atMondayPeak();

describe("live page", () => {
  it("shows every door with its mode, the devices GOOD/BAD with why, and the decisions with the member's name", async ({
    open,
  }) => {
    const c = await open();
    c.rig.readers.get("pool-in")?.state("open");
    await c.scan("pool-in", BRUNO);
    c.rig.readers.get("pool-out")?.state("waiting", "reader pool-out: connect ECONNREFUSED 127.0.0.1:1");
    const page = await c.page("/console/live", "viewer");
    expect(page).toMatch(/<tr data-door="pool-gate"><td>pool-gate<\/td><td><strong>normal<\/strong>/);
    expect(page).toMatch(
      /<td>reader<\/td><td>pool-in<\/td><td>serial-line<\/td><td><span class="good">GOOD<\/span>/,
    );
    expect(page).toContain(
      '<span class="bad">BAD</span> waiting: reader pool-out: connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(page).toMatch(
      /<td>pool-gate<\/td><td><strong>GRANTED<\/strong><\/td><td>Bruno<\/td><td>Welcome Bruno[^<]*<\/td><td>ok<\/td>/,
    );
    expect(page).toContain('<script src="/console/assets/live.js" defer></script>');
  });

  it("judges an input by its level (D1), as status does: GOOD while known, BAD with why when unknown", () => {
    const input = { state: "open", reason: null, level: "inactive" };
    expect(health(input).text).toBe('<span class="good">GOOD</span>');
    expect(health({ ...input, level: "unknown", reason: "no reading for 5 s" }).text).toBe(
      '<span class="bad">BAD</span> open, level unknown: no reading for 5 s',
    );
  });

  it("issue 11 §3: a viewer sees card numbers masked (last 4), desk and above see them whole", async ({
    open,
  }) => {
    const c = await open();
    await c.scan("pool-in", BRUNO);
    const viewer = await c.page("/console/live", "viewer");
    expect(viewer).toContain("<td>…4321</td>");
    expect(viewer).not.toContain(BRUNO);
    expect(await c.page("/console/live", "desk")).toContain(`<td>${BRUNO}</td>`);
  });

  it("shows the navigation the role may open, and a page without a login goes to the login", async ({
    open,
  }) => {
    const c = await open();
    const viewer = await c.page("/console/live", "viewer");
    expect(viewer).toContain('href="/console/events"');
    expect(viewer).not.toContain('href="/console/desk"');
    expect(viewer).not.toContain('href="/console/devices"');
    const tech = await c.page("/console/live", "technician");
    for (const href of ["/console/member", "/console/desk", "/console/devices"])
      expect(tech).toContain(`href="${href}"`);
    const anonymous = await c.get("/console/live");
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers?.Location).toBe("/login?next=%2Fconsole%2Flive");
  });

  it("escapes every outside string: a member's name cannot add markup", async ({ open, exampleStore }) => {
    exampleStore
      .prepare("UPDATE members SET name = ? WHERE id = 'm-bruno'")
      .run('<img src=x onerror="alert(1)">');
    const c = await open();
    await c.scan("pool-in", BRUNO);
    const page = await c.page("/console/live", "viewer");
    expect(page).not.toContain("<img src=x");
    expect(page).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  });

  it("serves its script, a plain file that appends rows as text", async ({ open }) => {
    const c = await open();
    const js = await c.get("/console/assets/live.js");
    expect(js.headers?.["Content-Type"]).toBe("text/javascript; charset=utf-8");
    expect(String(js.body)).toContain('addEventListener("decision"');
    expect(String(js.body)).not.toContain("innerHTML = row");
    // It is served as it is: a syntax error would only show in a browser.
    expect(() => new Script(String(js.body))).not.toThrow();
  });
});

describe("occupancy", () => {
  it("R12: members present per area against its capacity, an exit ending the presence", async ({
    open,
    exampleStore,
  }) => {
    const c = await open();
    await c.scan("pool-in", BRUNO);
    let page = await c.page("/console/occupancy", "viewer");
    expect(page).toMatch(
      /<tr data-area="pool"><td>pool<\/td><td><strong>1<\/strong> \(no capacity set\)<\/td><td><ul><li>Bruno <small>since 2027-03-22 17:30:00<\/small>/,
    );
    expect(page).toMatch(
      /<tr data-area="studio"><td>studio<\/td><td><strong>0<\/strong> of 2<\/td><td>nobody/,
    );
    vi.advanceTimersByTime(5000);
    await c.scan("pool-out", BRUNO);
    // Two members who entered the studio today (and one yesterday, forgotten at midnight).
    const entered = exampleStore.prepare(
      "INSERT INTO presence (member_id, area, last_direction, last_at, last_in_at) VALUES (?, 'studio', 'in', ?, ?)",
    );
    for (const [member, when] of [
      ["m-anna", "2027-03-22T09:00"],
      ["m-carla", "2027-03-22T10:00"],
      ["m-dario", "2027-03-21T20:00"],
    ])
      entered.run(member, at(when as string), at(when as string));
    page = await c.page("/console/occupancy", "viewer");
    expect(page).toMatch(/<tr data-area="pool"><td>pool<\/td><td><strong>0<\/strong>/);
    expect(page).toMatch(
      /<tr data-area="studio" class="full"><td>studio<\/td><td><strong>2<\/strong> of 2 <span class="bad">FULL<\/span>/,
    );
    expect(page).not.toContain("Dario");
  });
});

describe("member page", () => {
  it("finds a member by card in any written form (R1) or by name; several hits are listed", async ({
    open,
  }) => {
    const c = await open();
    expect((await c.get("/console/member?q=0007654321", "desk")).headers?.Location).toBe(
      "/console/member/m-bruno",
    );
    expect((await c.get("/console/member?q=brun", "desk")).headers?.Location).toBe("/console/member/m-bruno");
    const many = await c.page("/console/member?q=ar", "desk");
    expect(many).toContain('<a href="/console/member/m-carla">Carla</a>');
    expect(many).toContain('<a href="/console/member/m-dario">Dario</a>');
    expect(await c.page("/console/member?q=zoe", "desk")).toContain(
      'No member has the card or a name like "zoe".',
    );
  });

  it("shows the balance (packs, credits left, validity), the cards whole and the recent events; viewers may not open it", async ({
    open,
  }) => {
    const c = await open();
    await c.scan("pool-in", BRUNO);
    const page = await c.page("/console/member/m-bruno", "desk");
    expect(page).toContain(`<strong>${BRUNO}</strong> (active)`);
    expect(page).toMatch(
      /<tr data-pack="mp-bruno-swim"><td>mp-bruno-swim<\/td><td>[^<]+<\/td><td>active<\/td><td>2027-02-1\d … [^<]+<\/td><td class="credits">0 of 10 left<\/td>/,
    );
    expect(page).toMatch(/<td>GRANTED<\/td><td>ok<\/td><td>pool-gate<\/td><td>pool-in<\/td>/);
    const viewer = await c.get("/console/member/m-bruno", "viewer");
    expect(viewer.status).toBe(403);
  });

  it("explains a card at any reader and time in the command line's words, trace included, recording nothing", async ({
    open,
    exampleStore,
  }) => {
    const c = await open();
    const page = await c.page(
      "/console/member/m-bruno?card=7654321&reader=pool-in&at=2027-03-22T06:30",
      "desk",
    );
    const cli = formatDecision(
      explain(
        exampleStore,
        { card: BRUNO, area: "pool", direction: "in", readerId: "pool-in" },
        at("2027-03-22T06:30"),
        { offline: null },
      ),
      siteModel(exampleStore),
      "explain",
    );
    expect(cli).toMatch(/^DENIED {2}outside_time_window/);
    expect(cli).toContain("trace:");
    expect(page).toContain(
      `<pre class="explain">${cli.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")}</pre>`,
    );
    expect(exampleStore.prepare("SELECT count(*) AS n FROM events").get()).toEqual({ n: 0 });
  });

  it("names a time it cannot read instead of explaining", async ({ open }) => {
    const c = await open();
    const page = await c.page(`/console/member/m-anna?card=${ANNA}&reader=pool-in&at=tuesday`, "desk");
    expect(page).toContain("time &quot;tuesday&quot; is not a time");
    expect(page).not.toContain('<pre class="explain">');
  });
});
