import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import fc from "fast-check";
import { describe, expect } from "vitest";
import { AccessGwError } from "../../config/errors.js";
import { Member } from "../../config/members.js";
import { importDataFiles, importFromWorker } from "../../gateway/store/fileImport.js";
import { MemberSpool } from "../../gateway/store/memberSpool.js";
import { test } from "../harness/index.js";
import { exampleText } from "../helpers/examples.js";
import { membersData } from "./memberArbitrary.js";
import { dump, freshStore, importInputs } from "./storeHelpers.js";

/** The problems an import is refused with. */
async function refusal(run: () => Promise<unknown>): Promise<string[]> {
  try {
    await run();
  } catch (err) {
    expect(err).toBeInstanceOf(AccessGwError);
    return (err as AccessGwError).problems;
  }
  throw new Error("the import was accepted");
}

const member = (i: number, card = String(100 + i)) =>
  `  - id: m-${i}\n    cards: [{ number: "${card}" }]\n    multipacks: [{ id: mp-${i}, product: swim10, purchasedAt: "2027-03-01T18:00:00+01:00" }]\n`;

const it = test
  /** Writes a file into the test's data folder and returns its path. */
  .extend("file", ({ store: t }) => (name: string, text: string): string => {
    const path = join(t.dir, name);
    writeFileSync(path, text);
    return path;
  })
  /** The member spools in the test's data folder. */
  .extend(
    "spoolFiles",
    ({ store: t }) =>
      () =>
        readdirSync(t.dir).filter((f) => f.endsWith(".spool")),
  );

describe("accessgw import, streamed", () => {
  it("imports site and members from files on disk, and leaves no spool behind", async ({
    store: t,
    file,
    spoolFiles,
  }) => {
    const site = file("site.yaml", exampleText("site.yaml"));
    const members = file("members.yaml", `members:\n${member(1)}${member(2)}`);
    const sum = await importDataFiles(t.store, [{ name: site }, { name: members }]);
    expect([sum.files, sum.site, sum.members, sum.multipacks]).toEqual([2, true, 2, 2]);
    expect(spoolFiles()).toEqual([]);
  });

  it("is all or nothing: a bad last member of a long file changes nothing, and the spool is gone", async ({
    exampleStore: store,
    file,
    spoolFiles,
  }) => {
    const before = dump(store);
    const good = Array.from({ length: 300 }, (_, i) => member(i + 10)).join("");
    const members = file(
      "members.yaml",
      `members:\n${good}  - id: m-bad\n    cards: [{ number: "9", status: stolen }]\n`,
    );
    expect(await refusal(() => importDataFiles(store, [{ name: members }]))).toEqual([
      `${members}: members[300] (m-bad).cards[0].status: Invalid option: expected one of "active"|"blocked"|"lost" (found "stolen")`,
    ]);
    expect(dump(store)).toEqual(before);
    expect(spoolFiles()).toEqual([]);
  });

  it("names both places of a card number given twice in two files, and of an unknown product", async ({
    exampleStore: store,
    file,
  }) => {
    const a = file("a.yaml", `members:\n${member(1, "555")}`);
    const b = file(
      "b.json",
      JSON.stringify({
        members: [
          {
            id: "m-2",
            cards: [{ number: "0555" }],
            multipacks: [{ id: "mp-2", product: "swim11", purchasedAt: "2027-03-01T18:00:00+01:00" }],
          },
        ],
      }),
    );
    expect(await refusal(() => importDataFiles(store, [{ name: a }, { name: b }]))).toEqual([
      `${b}: members[0] (m-2).cards[0].number: duplicate card number "555" (first at ${a}: members[0] (m-1).cards[0].number)`,
      `${b}: members[0] (m-2).multipacks[0] (mp-2).product: unknown product "swim11"`,
    ]);
  });

  it("checks members against a site section that comes after them in the same file", async ({
    store: t,
    file,
  }) => {
    const site = exampleText("site.yaml");
    const both = file("both.yaml", `members:\n${member(1)}${site}`);
    expect((await importDataFiles(t.store, [{ name: both }])).members).toBe(1);
  });

  it("refuses members when no site is stored or given", async ({ store: t, file }) => {
    const members = file("members.yaml", `members:\n${member(1)}`);
    expect(await refusal(() => importDataFiles(t.store, [{ name: members }]))).toEqual([
      `${members}: site: missing (no site is stored yet: the first import needs a site section)`,
    ]);
  });

  it("checks on a worker thread while writing: a bad member in a later file refuses members already written", async ({
    exampleStore: store,
    file,
  }) => {
    const before = dump(store);
    // 1,000 members: five batches are posted and written before the second file is read.
    const many = file(
      "many.yaml",
      `members:\n${Array.from({ length: 1000 }, (_, i) => member(i + 10)).join("")}`,
    );
    const late = file("late.yaml", `members:\n${member(2000)}  - id: m-bad\n    cards: "9"\n`);
    expect(await refusal(() => importDataFiles(store, [{ name: many }, { name: late }]))).toEqual([
      `${late}: members[1] (m-bad).cards: Invalid input: expected array, received string (found "9")`,
    ]);
    expect(dump(store)).toEqual(before);
  });

  it("refuses the whole import for a reference problem found only after every member was written", async ({
    exampleStore: store,
    file,
  }) => {
    const before = dump(store);
    const good = Array.from({ length: 600 }, (_, i) => member(i + 10)).join("");
    const unknown = member(900).replace("swim10", "swim99");
    const members = file("members.yaml", `members:\n${good}${unknown}`);
    expect(await refusal(() => importDataFiles(store, [{ name: members }]))).toEqual([
      `${members}: members[600] (m-900).multipacks[0] (mp-900).product: unknown product "swim99"`,
    ]);
    expect(dump(store)).toEqual(before);
  });

  it("a checking thread that crashes after members were written is a clear error, and nothing is imported", async ({
    exampleStore: store,
  }) => {
    const before = dump(store);
    const doc = Member.parse({ id: "m-crash", cards: [{ number: "4242" }] });
    const window = new SharedArrayBuffer(4);
    const worker = new Worker(
      `const { parentPort, workerData } = require("node:worker_threads");
       parentPort.postMessage({ type: "members", batch: [workerData.doc] });
       setTimeout(() => { throw new Error("out of luck"); }, 20);`,
      { eval: true, workerData: { doc } },
    );
    const err = await importFromWorker(store, worker, window, "import").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccessGwError);
    expect((err as AccessGwError).code).toBe("WORKER_FAILED");
    expect((err as AccessGwError).message).toBe(
      "refused, nothing was imported: the checking thread failed (out of luck)",
    );
    expect(dump(store)).toEqual(before);
  });

  it("a checking thread that exits without its verdict is a clear error, and nothing is imported", async ({
    exampleStore: store,
  }) => {
    const before = dump(store);
    const worker = new Worker('require("node:worker_threads"); process.exit(3);', { eval: true });
    const err = await importFromWorker(store, worker, new SharedArrayBuffer(4), "import").catch(
      (e: unknown) => e,
    );
    expect((err as AccessGwError).code).toBe("WORKER_FAILED");
    expect((err as AccessGwError).message).toMatch(/stopped \(exit code 3\) before its verdict/);
    expect(dump(store)).toEqual(before);
  });

  it("spools member data in a file only its owner can read (0600), removed on close", ({
    store: t,
    spoolFiles,
  }) => {
    const spool = MemberSpool.open(t.dir);
    const [name] = spoolFiles();
    const path = join(t.dir, name as string);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    spool.close();
    expect(existsSync(path)).toBe(false);
  });

  it("writes exactly what the serial import writes, whatever the members and across batches (property)", async () => {
    // Up to 450 plain members first, so the random ones land in the first, second or third batch.
    const padded = fc.tuple(fc.nat({ max: 450 }), membersData).map(([n, list]) => [
      ...Array.from({ length: n }, (_, i) => ({
        id: `p-${i}`,
        cards: [{ number: String(5000 + i) }],
        multipacks: [
          {
            id: `pmp-${i}`,
            product: "swim10",
            purchasedAt: "2027-03-01T18:00:00+01:00",
            ledger: [{ id: `pad:${i}`, amount: 1, at: "2027-03-02T10:00:00+01:00", area: "pool" }],
          },
        ],
      })),
      ...list,
    ]);
    await fc.assert(
      fc.asyncProperty(padded, async (members) => {
        const [serial, pipelined] = [freshStore(), freshStore()];
        try {
          const site = [{ name: "site.yaml", text: exampleText("site.yaml") }];
          const input = [{ name: "members.json", value: { members } }];
          importInputs(serial.store, site);
          importInputs(serial.store, input);
          importInputs(pipelined.store, site);
          await importDataFiles(pipelined.store, input);
          expect(dump(pipelined.store)).toEqual(dump(serial.store));
        } finally {
          serial.close();
          pipelined.close();
        }
      }),
      { numRuns: 12 },
    );
  });
});
