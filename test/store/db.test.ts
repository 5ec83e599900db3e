import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect } from "vitest";
import { AccessGwError } from "../../config/errors.js";
import { explain } from "../../gateway/decisions.js";
import { DB_FILE, Store } from "../../gateway/store/db.js";
import { MIGRATIONS } from "../../gateway/store/migrations.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { dump, importExamples, importInputs, scanReq } from "./storeHelpers.js";

const NEWEST = MIGRATIONS.at(-1)?.version ?? 0;

describe("opening a data folder", () => {
  it("creates a missing folder and its cache file", ({ folder: { dir } }) => {
    const nested = join(dir, "a", "b");
    const store = Store.open(nested);
    expect(existsSync(join(nested, DB_FILE))).toBe(true);
    store.close();
  });

  it("R14: uses WAL and synchronous=FULL so that a granted entry survives a power cut", ({ store: t }) => {
    expect(t.store.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(t.store.db.pragma("synchronous", { simple: true })).toBe(2); // 2 = FULL
    expect(t.store.db.pragma("foreign_keys", { simple: true })).toBe(1);
  });

  it("keeps WAL after reopening, and honours an explicit synchronous option", ({ store: t }) => {
    t.store.close();
    const store = Store.open(t.dir, { synchronous: "NORMAL" });
    expect(store.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(store.db.pragma("synchronous", { simple: true })).toBe(1); // 1 = NORMAL
    t.store = store;
  });
});

describe("migrations", () => {
  it("set user_version to the newest migration and create every table", ({ store: t }) => {
    expect(t.store.db.pragma("user_version", { simple: true })).toBe(NEWEST);
    const tables = (
      t.store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((r) => r.name);
    expect(tables).toEqual(
      expect.arrayContaining([
        "meta",
        "site",
        "members",
        "cards",
        "multipacks",
        "ledger_packs",
        "visit_packs",
        "codes",
        "events",
        "outbox",
      ]),
    );
  });

  it("run once: reopening a migrated folder keeps its data and its version", ({ store: t }) => {
    importExamples(t.store);
    const before = dump(t.store);
    t.reopen();
    expect(t.store.db.pragma("user_version", { simple: true })).toBe(NEWEST);
    expect(dump(t.store)).toEqual(before);
    expect(t.store.siteConfig()?.site.id).toBe("rome-center");
  });

  it("refuse a cache written by a newer accessgw, saying which versions", ({ store: t }) => {
    t.store.close();
    const raw = new Database(join(t.dir, DB_FILE));
    raw.pragma(`user_version = ${NEWEST + 1}`);
    raw.close();
    let caught: unknown;
    try {
      Store.open(t.dir).close();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AccessGwError);
    expect((caught as AccessGwError).code).toBe("STORE");
    expect((caught as Error).message).toContain(
      `written by a newer accessgw (schema ${NEWEST + 1}, this program knows ${NEWEST})`,
    );
    expect((caught as Error).message).toContain(t.dir);
    // The refused cache is left as it was.
    const check = new Database(join(t.dir, DB_FILE), { readonly: true });
    expect(check.pragma("user_version", { simple: true })).toBe(NEWEST + 1);
    check.close();
  });

  it("refuse a file that is not a SQLite database with code STORE", ({ folder: { dir } }) => {
    writeFileSync(join(dir, DB_FILE), "this is not a database, only some text. ".repeat(50));
    expect(() => Store.open(dir)).toThrow(AccessGwError);
  });
});

describe("site configuration cache", () => {
  it("is null before the first import and reads the imported site after", ({ store: t }) => {
    expect(t.store.siteConfig()).toBeNull();
    importExamples(t.store);
    const site = t.store.siteConfig();
    expect(site?.areas.map((a) => a.id)).toEqual(["gym", "pool", "studio"]);
    expect(site?.products.map((p) => p.id)).toEqual(["gymflex", "swim10", "trial"]);
  });
});

describe("site configuration: every import is in force for the next decision, whoever wrote it", () => {
  const MONDAY_10 = at("2027-03-22T10:00");
  /** Off-peak swimming from noon only: Anna's 10:00 swim is outside every window. */
  const LATER_OFFPEAK = {
    accessTypes: [
      {
        id: "pool-offpeak",
        areas: ["pool"],
        windows: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "12:00", to: "17:00" }],
      },
    ],
  };

  it("reads an import made through another connection (another process) at the next decision", ({
    store: t,
  }) => {
    importExamples(t.store);
    expect(explain(t.store, scanReq("1234567", "pool"), MONDAY_10)).toMatchObject({ decision: "grant" });

    const other = Store.open(t.dir);
    try {
      importInputs(other, [{ name: "types.yaml", value: LATER_OFFPEAK }]);
    } finally {
      other.close();
    }

    expect(explain(t.store, scanReq("1234567", "pool"), MONDAY_10)).toMatchObject({
      decision: "deny",
      reason: "outside_time_window",
    });
  });

  it("keeps the configuration it read while nobody writes one, and reads it again after its own import", ({
    exampleStore: store,
  }) => {
    const first = store.siteConfig();
    expect(store.siteConfig()).toBe(first);
    importInputs(store, [{ name: "types.yaml", value: LATER_OFFPEAK }]);
    expect(store.siteConfig()).not.toBe(first);
    expect(store.siteConfig()?.accessTypes.find((a) => a.id === "pool-offpeak")?.windows[0]?.from).toBe(
      "12:00",
    );
  });
});
