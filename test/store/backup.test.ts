/**
 * issue 10 §5: `backup` takes a consistent online copy (SQLite backup API) that describes itself;
 * `restore` puts it back onto a data folder that then decides exactly as the original did, refuses
 * what is not a backup of this gateway, and keeps the cache it replaces.
 */
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect } from "vitest";
import { main } from "../../gateway/cli.js";
import type { Io } from "../../gateway/cliVerbs.js";
import { scan } from "../../gateway/decisions.js";
import { BACKUP_FORMAT, readBackupInfo, takeBackup } from "../../gateway/store/backupFile.js";
import { DB_FILE, Store } from "../../gateway/store/db.js";
import { MIGRATIONS } from "../../gateway/store/migrations.js";
import { restoreBackup } from "../../gateway/store/restoreFile.js";
import { unconfirmedSeq } from "../../gateway/store/seqRestore.js";
import { it } from "../harness/index.js";
import { wholeEvents } from "../helpers/backupCheck.js";
import { at } from "../helpers/build.js";
import { importExamples, scanReq } from "./storeHelpers.js";

const MONDAY_10 = at("2027-03-22T10:00");
const NOW = Date.parse("2027-03-22T12:00:00Z");
const ANNA = "1234567";
const BRUNO = "7654321";
const GW = "gw-1";
/** A backup description as an older accessgw wrote it. */
const BACKUP_INFO = {
  format: BACKUP_FORMAT,
  gatewayId: GW,
  highestSeq: 0,
  takenAt: "2026-01-01T00:00:00.000Z",
  version: "0.0.9",
  dataDir: "/var/lib/accessgw",
};

/** A backup of `store` into `dir` (as `accessgw backup` takes it). */
const backupOf = (store: Store, dir: string, name = "b.db") =>
  takeBackup({ dataDir: store.dir, to: join(dir, name), version: "9.9.9-test", now: NOW });

/** The command line in-process, with what it printed. */
async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: Io = {
    out: (t) => (out += `${t}\n`),
    err: (t) => (err += `${t}\n`),
    env: { ACCESSGW_GATEWAY_ID: GW },
  };
  return { code: await main(argv, io), out, err };
}

/** Decides the same scans on a store; what each decided and charged. */
function decideDay(store: Store): unknown[] {
  const scans: [string, string, number][] = [
    [ANNA, "pool", MONDAY_10 + 3_600_000],
    [BRUNO, "gym", MONDAY_10 + 3_700_000],
    [ANNA, "pool", MONDAY_10 + 4 * 3_600_000],
    ["999", "gym", MONDAY_10 + 5 * 3_600_000],
  ];
  return scans.map(([card, area, when]) => {
    const e = scan(store, scanReq(card, area), when, GW);
    return {
      id: e.id,
      decision: e.decision,
      reason: e.reason,
      deducted: e.creditsDeducted,
      left: e.creditsRemaining,
    };
  });
}

describe("backup: a consistent copy that says what it is", () => {
  it("writes a 0600 file with the gateway id, schema version, highest seq, time and version inside", async ({
    exampleStore: store,
    folder,
  }) => {
    scan(store, scanReq(ANNA, "pool"), MONDAY_10, GW);
    scan(store, scanReq(BRUNO, "gym"), MONDAY_10 + 1000, GW);
    const out = await backupOf(store, folder.dir);
    expect(statSync(out.file).mode & 0o777).toBe(0o600);
    expect(out).toMatchObject({
      gatewayId: GW,
      highestSeq: 2,
      takenAt: new Date(NOW).toISOString(),
      version: "9.9.9-test",
    });
    expect(out.schemaVersion).toBe(store.db.pragma("user_version", { simple: true }));
    expect(readBackupInfo(out.file)).toEqual({
      format: BACKUP_FORMAT,
      gatewayId: GW,
      schemaVersion: out.schemaVersion,
      highestSeq: 2,
      takenAt: out.takenAt,
      version: "9.9.9-test",
      dataDir: store.dir,
    });
    // One file: no -wal beside it, no temp file left over.
    expect(readdirSync(folder.dir).filter((f) => f.startsWith("b.db") || f.includes(".tmp"))).toEqual([
      "b.db",
    ]);
  });

  it("is consistent while scans are decided on the cache: integrity ok, every event whole", async ({
    exampleStore: store,
    folder,
  }) => {
    for (let i = 0; i < 200; i++) scan(store, scanReq(`88${i}`, "gym"), MONDAY_10 + i, GW);
    // The daemon's connection keeps deciding between the backup's steps.
    let scanning = true;
    let n = 0;
    const loop = () => {
      if (!scanning) return;
      scan(store, scanReq(n % 2 ? ANNA : `77${n}`, "gym"), MONDAY_10 + 1_000_000 + n++, GW);
      setImmediate(loop);
    };
    setImmediate(loop);
    const out = await backupOf(store, folder.dir);
    scanning = false;
    // Scans were decided while the copy was taken.
    expect(n).toBeGreaterThan(0);
    const docs = wholeEvents(out.file);
    expect(docs.length).toBeGreaterThanOrEqual(200);
    expect(docs.map((d) => d.seq)).toEqual(docs.map((_, i) => i + 1));
    expect(out.highestSeq).toBe(docs.length);
  });

  it("writes a dated file named after the gateway into a folder given as --to", async ({
    exampleStore: store,
    folder,
  }) => {
    const r = await cli(["backup", "--to", folder.dir, "--data", store.dir, "--json"]);
    expect(r.code, r.err).toBe(0);
    const file = (JSON.parse(r.out) as { file: string }).file;
    expect(file).toMatch(
      new RegExp(`^${folder.dir}/accessgw-gw-1-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.db$`),
    );
    expect(readBackupInfo(file).dataDir).toBe(store.dir);
  });

  it("refuses a --to in a folder that does not exist (exit 2)", async ({ exampleStore: store, folder }) => {
    const r = await cli(["backup", "--to", join(folder.dir, "usb", "b.db"), "--data", store.dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--to .*usb\/b\.db: the folder .*usb does not exist/);
  });

  it("refuses a data folder without a cache, writing nothing", async ({ folder }) => {
    const r = await cli(["backup", "--to", join(folder.dir, "x.db"), "--data", folder.data]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no cache to back up/);
    expect(existsSync(join(folder.dir, "x.db"))).toBe(false);
  });
});

describe("restore: the backup put back", () => {
  it("onto a fresh data folder decides the same as the original (same scans, same times: same decisions and credits)", async ({
    exampleStore: store,
    folder,
  }) => {
    scan(store, scanReq(ANNA, "pool"), MONDAY_10, GW);
    const out = await backupOf(store, folder.dir);
    const r = await cli(["restore", "--from", out.file, "--data", folder.data, "--json"]);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ keptAside: null, seqThrough: 1, dataDir: folder.data });
    expect(statSync(folder.data).mode & 0o777).toBe(0o700);
    expect(statSync(join(folder.data, DB_FILE)).mode & 0o777).toBe(0o600);
    const restored = Store.open(folder.data);
    try {
      expect(decideDay(restored)).toEqual(decideDay(store));
      // The restored cache waits for the central to confirm its seq (sync.md "Seq after a restore").
      expect(unconfirmedSeq(restored)).toBe(1);
      expect(restored.meta("backup")).toBeUndefined();
    } finally {
      restored.close();
    }
  });

  it("keeps the cache it replaces as accessgw.db.before-restore-<time>", async ({
    exampleStore: store,
    folder,
    newStore,
  }) => {
    const out = await backupOf(store, folder.dir);
    const other = newStore();
    importExamples(other.store);
    scan(other.store, scanReq(ANNA, "gym"), MONDAY_10, GW);
    other.store.close();
    const r = restoreBackup({ from: out.file, dataDir: other.dir, gatewayId: GW, force: false, now: NOW });
    expect(r.keptAside).toBe(join(other.dir, `${DB_FILE}.before-restore-2027-03-22T12-00-00-000Z`));
    const aside = new Database(r.keptAside as string, { readonly: true });
    try {
      expect(aside.prepare("SELECT count(*) FROM events").pluck().get()).toBe(1);
    } finally {
      aside.close();
    }
  });

  it("refuses a file that is not a backup, and a damaged one, with exit 2 and the cache untouched", async ({
    exampleStore: store,
    folder,
  }) => {
    const text = join(folder.dir, "notes.txt");
    writeFileSync(
      text,
      "not a database at all, but long enough to look like a file someone copied".repeat(20),
    );
    const a = await cli(["restore", "--from", text, "--data", store.dir]);
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/notes\.txt: cannot open it|notes\.txt is not an accessgw backup/);
    // A cache is not a backup: it has no description.
    const b = await cli(["restore", "--from", join(store.dir, DB_FILE), "--data", folder.data]);
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/is not an accessgw backup: it has no backup description/);
    expect(existsSync(folder.data)).toBe(false);
    const out = await backupOf(store, folder.dir);
    const bytes = statSync(out.file).size;
    const fd = new Database(out.file);
    const page = fd.pragma("page_size", { simple: true }) as number;
    fd.close();
    // Scribble over the middle pages: the description on the first pages stays readable.
    const buf = Buffer.alloc(page * 4, 0x5a);
    const { openSync, writeSync, closeSync } = await import("node:fs");
    const h = openSync(out.file, "r+");
    writeSync(h, buf, 0, buf.length, Math.floor(bytes / page / 2) * page);
    closeSync(h);
    const c = await cli(["restore", "--from", out.file, "--data", folder.data]);
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/damaged|malformed|not an accessgw backup/);
    expect(existsSync(join(folder.data, DB_FILE))).toBe(false);
  });

  it("migrates the backup of an older version's schema as the cache is migrated on open", ({ folder }) => {
    const newest = MIGRATIONS.at(-1)?.version as number;
    const file = join(folder.dir, "old.db");
    const old = new Database(file);
    for (const m of MIGRATIONS.filter((x) => x.version < newest)) {
      old.exec(m.sql);
      old.pragma(`user_version = ${m.version}`);
    }
    const info = { ...BACKUP_INFO, schemaVersion: newest - 1 };
    old.prepare("INSERT INTO meta (key, value) VALUES ('backup', ?)").run(JSON.stringify(info));
    old.close();
    const r = restoreBackup({ from: file, dataDir: folder.data, gatewayId: GW, force: false, now: NOW });
    expect(r).toMatchObject({ schemaVersion: newest, backup: { schemaVersion: newest - 1 } });
    const db = new Database(join(folder.data, DB_FILE), { readonly: true });
    try {
      expect(db.pragma("user_version", { simple: true })).toBe(newest);
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      db.close();
    }
  });

  it("refuses a backup of another gateway id (exit 2) unless --force", async ({
    exampleStore: store,
    folder,
  }) => {
    scan(store, scanReq(ANNA, "pool"), MONDAY_10, "gw-other");
    const out = await backupOf(store, folder.dir);
    const refused = await cli(["restore", "--from", out.file, "--data", folder.data]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/a backup of gateway "gw-other", this one is "gw-1".*--force/);
    expect(existsSync(join(folder.data, DB_FILE))).toBe(false);
    const forced = await cli(["restore", "--from", out.file, "--data", folder.data, "--force"]);
    expect(forced.code, forced.err).toBe(0);
    expect(forced.out).toMatch(/records events as gateway "gw-other": set gateway.id to it/);
  });
});
