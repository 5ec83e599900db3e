/**
 * The central editor's backend (issue 11 §2) on the worked example's files: the sections as written,
 * drafts checked with import's messages, the diff by record id, what-if over the events the central
 * holds, and saves: refused without a reason, written with comments kept, recorded with who and why.
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { parse } from "yaml";
import { HISTORY_FILE } from "../../central/editor/editHistory.js";
import type { EditorBackend, SiteSections } from "../../central/editor/editorApi.js";
import { createEditorBackend, revisionOf } from "../../central/editor/editorBackend.js";
import { readSource } from "../../central/sourceFiles.js";
import { test } from "../harness/index.js";
import { holdScans, romeTime } from "../helpers/centralHolding.js";
import { exampleText } from "../helpers/examples.js";
import { memoryLogger } from "../helpers/logs.js";

const SITE = exampleText("site.yaml");
const LATE_POOL = SITE.replace('from: "07:00", to: "17:00"', 'from: "08:00", to: "17:00"');

interface Editor {
  backend: EditorBackend;
  siteFile: string;
  dataDir: string;
  logs: ReturnType<typeof memoryLogger>;
}

/** The backend on the example files (the site file's text given), with a central store holding `scans`. */
const it = test.extend(
  "editor",
  ({ store, folder, defer }) =>
    (siteText = SITE, scans: Parameters<typeof holdScans>[3] = []): Editor => {
      const held = holdScans(store.store, folder.dir, siteText, scans);
      defer(() => held.store.close());
      const logs = memoryLogger();
      const dataDir = join(folder.dir, "data");
      const backend = createEditorBackend({
        siteConfigFile: held.siteFile,
        membersFile: held.membersFile,
        siteId: "rome-center",
        dataDir,
        source: { members: () => held.members, events: () => held.events },
        logger: logs.logger,
      });
      return { backend, siteFile: held.siteFile, dataDir, logs };
    },
);

/** The current sections with one edit applied. */
function edited(e: Editor, edit: (d: SiteSections) => void): SiteSections {
  const d = structuredClone(e.backend.current());
  edit(d);
  return d;
}

const offpeakFrom = (from: string) => (d: SiteSections) => {
  (d.accessTypes[1]?.windows[0] as { from: string }).from = from;
};

describe("the editor backend", () => {
  it("current: the sections as the file writes them, no defaults added", ({ editor }) => {
    const e = editor();
    const current = e.backend.current();
    expect(current.site).toEqual({ id: "rome-center", timezone: "Europe/Rome", holidays: ["2027-03-29"] });
    expect(current.accessTypes[0]).toEqual(parse(SITE).accessTypes[0]);
    expect(current.cardModels).toEqual([]);
    expect(e.backend.revision()).toBe(revisionOf(SITE));
  });

  it("check: a bad time and an unknown access type are named by path with import's own messages", ({
    editor,
    folder,
  }) => {
    const e = editor();
    const draft = edited(e, (d) => {
      offpeakFrom("7:00")(d);
      (d.products[0]?.items[1] as { accessType: string }).accessType = "pool-late";
    });
    const out = e.backend.check(draft);
    expect(out.ok).toBe(false);
    // The same draft as a file, read as import reads it: the same problems, less the file's name.
    const file = join(folder.dir, "draft.yaml");
    writeFileSync(file, JSON.stringify(draft));
    const fromImport = readSource(file).problems.map((p) => p.slice(file.length + 2));
    expect(out.problems.map((p) => `${p.path}: ${p.message}`)).toEqual(fromImport);
    expect(out.problems[0]?.path).toBe("accessTypes[1] (pool-offpeak).windows[0].from");
    // Fixed time: the reference to the unknown access type is found next, as import finds it.
    const refs = e.backend.check(
      edited(e, (d) => {
        (d.products[0]?.items[1] as { accessType: string }).accessType = "pool-late";
      }),
    );
    expect(refs.problems).toHaveLength(1);
    expect(refs.problems[0]?.message).toContain("pool-late");
    expect(e.backend.check(e.backend.current())).toEqual({ ok: true, problems: [] });
  });

  it("check: a product the members hold cannot go; members and another site are refused", ({ editor }) => {
    const e = editor();
    const noSwim = e.backend.check(
      edited(e, (d) => {
        d.products = d.products.filter((p) => p.id !== "swim10");
      }),
    );
    expect(noSwim.ok).toBe(false);
    expect(noSwim.problems.some((p) => p.path.startsWith("members") && p.message.includes("swim10"))).toBe(
      true,
    );
    const other = e.backend.check(
      edited(e, (d) => {
        d.site.id = "milan";
      }),
    );
    expect(other.problems).toEqual([
      { path: "site.id", message: '"milan" is not the site this central serves ("rome-center", --site)' },
    ]);
    expect(e.backend.check({ ...e.backend.current(), members: [] }).problems[0]?.path).toBe("members");
    expect(e.backend.check(42).ok).toBe(false);
  });

  it("diff: by record id; a default written out is no change", ({ editor }) => {
    const e = editor();
    const draft = edited(e, (d) => {
      offpeakFrom("06:30")(d);
      (d.products[2]?.items[0] as { priority?: number }).priority = 5; // trial's item: already 5
      (d.products[0]?.items[0] as { credits: number }).credits = 2;
      d.products[1] = { ...(d.products[1] as SiteSections["products"][number]), transferUnused: false };
      d.cardModels.push({ id: "fin-2027" });
      d.limits = [];
    });
    expect(e.backend.diff(draft)).toEqual([
      {
        kind: "changed",
        section: "accessTypes",
        id: "pool-offpeak",
        fields: [
          { path: "window", after: "mon,tue,wed,thu,fri 06:30–17:00" },
          { path: "window", before: "mon,tue,wed,thu,fri 07:00–17:00" },
        ],
      },
      {
        kind: "changed",
        section: "products",
        id: "swim10",
        fields: [{ path: "item pool-offpeak.credits", before: 1, after: 2 }],
      },
      {
        kind: "removed",
        section: "limits",
        id: "studio-3-a-week",
        fields: [
          { path: "amount", before: 3 },
          { path: "period", before: "week" },
          { path: "accessTypes", before: [] },
          { path: "areas", before: ["studio"] },
          { path: "products", before: [] },
          { path: "at", before: "all" },
        ],
      },
      { kind: "added", section: "cardModels", id: "fin-2027", fields: [] },
    ]);
    expect(e.backend.diff(e.backend.current())).toEqual([]);
    expect(() => e.backend.diff(edited(e, offpeakFrom("25:00")))).toThrow(
      expect.objectContaining({ code: "DRAFT_INVALID" }),
    );
  });

  it("what-if over the central's events: the member refused last Tuesday at 07:30 would be admitted", ({
    editor,
  }) => {
    const e = editor(LATE_POOL, [
      { card: "1234567", area: "pool", at: "2027-03-23T07:30" },
      { card: "7654321", area: "gym", at: "2027-03-23T07:30" },
    ]);
    const now = romeTime("2027-03-28T12:00");
    const report = e.backend.whatIf(edited(e, offpeakFrom("07:00")), 7, now);
    expect(report.scans).toBe(2);
    expect(report.changes.map((c) => [c.memberName, c.before.reason, c.after.reason])).toEqual([
      ["Anna", "outside_time_window", "ok"],
    ]);
    // Three days back no longer reaches Tuesday.
    expect(e.backend.whatIf(edited(e, offpeakFrom("07:00")), 3, now).scans).toBe(0);
    expect(() => e.backend.whatIf(e.backend.current(), 0, now)).toThrow(
      expect.objectContaining({ code: "USAGE" }),
    );
  });
});

describe("a file the central refused", () => {
  it("diff, what-if and save say the file does not check; check still answers", ({ editor }) => {
    const e = editor();
    const draft = e.backend.current();
    // An edit by hand the central refused: the previous configuration stays in force there.
    writeFileSync(e.siteFile, SITE.replace('from: "06:00", to: "23:00"', 'from: "6:00", to: "23:00"'));
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return [(err as { code?: string }).code, (err as Error).message.split("\n")[0]];
      }
      return "done";
    };
    const refused = ["DRAFT_INVALID", `the file ${e.siteFile} does not check:`];
    expect(code(() => e.backend.diff(draft))).toEqual(refused);
    expect(code(() => e.backend.whatIf(draft, 7, 0))).toEqual(refused);
    expect(code(() => e.backend.save(draft, "maria", "fix the gym window", 0))).toEqual(refused);
    expect(e.backend.check(draft)).toEqual({ ok: true, problems: [] });
  });
});

describe("saving a draft", () => {
  it("writes the file with its comments, returns its revision and records who, why and what", ({
    editor,
  }) => {
    const e = editor();
    const at = romeTime("2027-03-28T12:00");
    const saved = e.backend.save(edited(e, offpeakFrom("06:30")), "maria", "open the pool at 06:30", at);
    const text = readFileSync(e.siteFile, "utf8");
    expect(text).toBe(SITE.replace('from: "07:00", to: "17:00"', 'from: "06:30", to: "17:00"'));
    expect(saved.revision).toBe(revisionOf(text));
    expect(e.backend.revision()).toBe(saved.revision);
    expect(saved.changes.map((c) => c.id)).toEqual(["pool-offpeak"]);
    expect(e.backend.history()).toEqual([
      {
        at: new Date(at).toISOString(),
        who: "maria",
        why: "open the pool at 06:30",
        changes: 1,
        revision: saved.revision,
        list: saved.changes,
      },
    ]);
    expect(statSync(join(e.dataDir, HISTORY_FILE)).mode & 0o777).toBe(0o600);
    expect(e.logs.lines.find((l) => l.msg === "site configuration saved from the editor")).toMatchObject({
      who: "maria",
      changes: 1,
    });
  });

  it("a JSON site configuration is saved as JSON", ({ folder }) => {
    const siteFile = join(folder.dir, "site.json");
    const membersFile = join(folder.dir, "members.yaml");
    writeFileSync(siteFile, JSON.stringify(parse(SITE), null, 2));
    writeFileSync(membersFile, exampleText("members.yaml"));
    const backend = createEditorBackend({
      siteConfigFile: siteFile,
      membersFile,
      siteId: "rome-center",
      dataDir: folder.data,
      source: { members: () => [], events: () => [] },
      logger: memoryLogger().logger,
    });
    const draft = structuredClone(backend.current());
    offpeakFrom("06:30")(draft);
    backend.save(draft, "maria", "open at 06:30", 0);
    const saved = JSON.parse(readFileSync(siteFile, "utf8")) as SiteSections;
    expect(saved.accessTypes[1]?.windows[0]).toEqual({
      days: ["mon", "tue", "wed", "thu", "fri"],
      from: "06:30",
      to: "17:00",
    });
  });

  it("refuses an empty reason, a draft that does not check, no change and a stale draft; the file stays", ({
    editor,
  }) => {
    const e = editor();
    const draft = edited(e, offpeakFrom("06:30"));
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return (err as { code?: string }).code;
      }
      return "saved";
    };
    expect(code(() => e.backend.save(draft, "maria", "  ", 0))).toBe("DRAFT_REFUSED");
    expect(code(() => e.backend.save(edited(e, offpeakFrom("7")), "maria", "why", 0))).toBe("DRAFT_INVALID");
    expect(code(() => e.backend.save(e.backend.current(), "maria", "why", 0))).toBe("DRAFT_REFUSED");
    expect(code(() => e.backend.save(draft, "maria", "why", 0, "0123456789ab"))).toBe("DRAFT_REFUSED");
    expect(readFileSync(e.siteFile, "utf8")).toBe(SITE);
    expect(e.backend.history()).toEqual([]);
    expect(code(() => e.backend.save(draft, "maria", "why", 0, revisionOf(SITE)))).toBe("saved");
  });
});
