import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { it } from "../harness/index.js";
import { accessgw, EXAMPLES, importExamples, jsonLines, jsonOf } from "./accessgw.js";

interface Balance {
  memberId: string;
  name: string | null;
  multipacks: {
    multipackId: string;
    productId: string;
    validFrom: string;
    validUntil: string | null;
    status: string;
    creditsRemaining: number | null;
    creditsTotal: number | null;
    allowances: { accessTypeId: string; count: number; left: number }[];
  }[];
}

describe.concurrent("balance", () => {
  it("shows a member's multipacks by card, for people: product, dates, status, credits, allowances", async ({
    folder: { data },
  }) => {
    await importExamples(data);
    const r = await accessgw(["balance", "--card", "0007654321", "--at", "2027-03-23T09:00", "--data", data]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^member m-bruno \(Bruno\)/);
    expect(r.stdout).toMatch(/mp-bruno-swim +10 swims +active +2027-02-10 … 2027-05-09 +2\/10 credits left/);
    expect(r.stdout).toMatch(/mp-bruno-flex +Gym flex +active +2027-03-20 … 2027-04-19 +unlimited/);
    expect(r.stdout).toMatch(/allowance pool-offpeak: 1 of 1 left this day/);
  });

  it("shows them by member id as JSON, and an allowance used by a scan that day", async ({
    folder: { data },
  }) => {
    await importExamples(data);
    const balance = async () =>
      jsonOf<Balance>(
        await accessgw([
          "balance",
          "--member",
          "m-bruno",
          "--at",
          "2027-03-23T12:00",
          "--json",
          "--data",
          data,
        ]),
      );
    const before = await balance();
    expect(before).toMatchObject({ memberId: "m-bruno", name: "Bruno" });
    expect(before.multipacks).toEqual([
      expect.objectContaining({
        multipackId: "mp-bruno-swim",
        productId: "swim10",
        validFrom: "2027-02-10",
        validUntil: "2027-05-09",
        status: "active",
        creditsRemaining: 2,
        creditsTotal: 10,
        allowances: [],
      }),
      expect.objectContaining({
        multipackId: "mp-bruno-flex",
        productId: "gymflex",
        creditsRemaining: null,
        creditsTotal: null,
        allowances: [expect.objectContaining({ accessTypeId: "pool-offpeak", count: 1, left: 1 })],
      }),
    ]);
    const scan = jsonOf(
      await accessgw([
        "scan",
        "--card",
        "7654321",
        "--area",
        "pool",
        "--at",
        "2027-03-23T10:00",
        "--json",
        "--data",
        data,
      ]),
    );
    expect(scan).toMatchObject({ multipackId: "mp-bruno-flex", decision: "grant" });
    expect((await balance()).multipacks[1]?.allowances[0]).toMatchObject({ left: 0 });
  });
});

describe.concurrent("import", () => {
  it("refuses a bad file whole: exit 2, file, record and field on stderr, nothing changed", async ({
    folder: { dir, data },
  }) => {
    await importExamples(data);
    const scanArgs = ["scan", "--card", "1234567", "--area", "pool", "--at", "2027-03-22T10:00", "--json"];
    jsonOf(await accessgw([...scanArgs, "--data", data]));
    const state = async () => ({
      events: (await accessgw(["events", "--json", "--data", data])).stdout,
      anna: (
        await accessgw([
          "balance",
          "--member",
          "m-anna",
          "--at",
          "2027-03-22T12:00",
          "--json",
          "--data",
          data,
        ])
      ).stdout,
    });
    const before = await state();

    // A good file (a new member, a change to Anna) beside a bad one: neither is imported.
    const good = join(dir, "good.yaml");
    writeFileSync(
      good,
      [
        "members:",
        "  - id: m-zoe",
        '    cards: [{ number: "111", status: active }]',
        "  - id: m-anna",
        '    cards: [{ number: "0001234567", status: active }]',
        "    multipacks:",
        '      - { id: mp-anna-swim, product: swim10, purchasedAt: "2027-03-01T18:00:00+01:00", creditsTotal: 50 }',
        "",
      ].join("\n"),
    );
    const badRef = join(dir, "bad-ref.yaml");
    writeFileSync(
      badRef,
      [
        "members:",
        "  - id: m-eve",
        '    cards: [{ number: "222", status: active }]',
        "    multipacks:",
        '      - { id: mp-eve, product: swim11, purchasedAt: "2027-03-01T18:00:00+01:00" }',
        "",
      ].join("\n"),
    );
    const badField = join(dir, "bad-field.yaml");
    writeFileSync(
      badField,
      [
        "members:",
        "  - id: m-eve",
        '    cards: [{ number: "222", status: stolen }]',
        "    shoeSize: 42",
        "",
      ].join("\n"),
    );
    const broken = join(dir, "broken.yaml");
    writeFileSync(broken, "members:\n  - id: m-eve\n    cards: [{ number: 1\n");

    const [r1, r2, r3] = await Promise.all([
      accessgw(["import", good, badRef, "--data", data]),
      accessgw(["import", badField, "--json", "--data", data]),
      accessgw(["import", good, broken, "--data", data]),
    ]);
    for (const r of [r1, r2, r3]) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
    }
    expect(r1.stderr).toContain(`${badRef}: members[0] (m-eve).multipacks[0] (mp-eve).product`);
    expect(r1.stderr).toContain('"swim11"');
    expect(r2.stderr).toContain(`${badField}: members[0] (m-eve).cards[0].status`);
    expect(r2.stderr).toMatch(/members\[0\].*shoeSize/);
    expect(r3.stderr).toMatch(/broken\.yaml \(line \d+/);

    expect(await state()).toEqual(before);
    const zoe = jsonOf(
      await accessgw([
        "explain",
        "--card",
        "111",
        "--area",
        "gym",
        "--at",
        "2027-03-22T10:00",
        "--json",
        "--data",
        data,
      ]),
    );
    expect(zoe.reason).toBe("unknown_card");
  });

  it("prints a summary, as JSON with --json", async ({ folder: { data } }) => {
    const r = await accessgw([
      "import",
      join(EXAMPLES, "site.yaml"),
      join(EXAMPLES, "members.yaml"),
      "--json",
      "--data",
      data,
    ]);
    expect(jsonOf(r)).toMatchObject({
      site: true,
      areas: 3,
      products: 3,
      members: 4,
      multipacks: 5,
      ledgerAdded: 1,
    });
  });

  it("prints what changed by id the second time, and nothing changed for the same files (issue 10 §7)", async ({
    folder: { dir, data },
  }) => {
    await importExamples(data);
    const same = await accessgw([
      "import",
      join(EXAMPLES, "site.yaml"),
      join(EXAMPLES, "members.yaml"),
      "--data",
      data,
    ]);
    expect(same.stdout.trimEnd().split("\n").slice(1)).toEqual(["nothing changed"]);
    const edited = join(dir, "edit.yaml");
    writeFileSync(
      edited,
      [
        "members:",
        "  - id: m-dario",
        "    name: Dario",
        '    cards: [{ number: "5550002", status: active }]',
        "    multipacks:",
        '      - { id: mp-dario-flex, product: gymflex, purchasedAt: "2027-03-20T10:00:00+01:00" }',
        '    blocks: [{ reason: debt, from: "2027-03-01", message: "Please see reception" }]',
        "",
      ].join("\n"),
    );
    const r = await accessgw(["import", edited, "--data", data]);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split("\n").slice(1)).toEqual([
      "member m-dario: card …0002 status lost → active",
      "member m-dario: block debt from 2027-03-01 added",
    ]);
    const json = jsonOf<{ changes: unknown }>(await accessgw(["import", edited, "--json", "--data", data]));
    expect(json.changes).toEqual({ listed: [], counts: {}, notListed: 0 });
  });
});

describe.concurrent("the data folder", () => {
  it("defaults to $ACCESSGW_DATA, else ./data, and --data wins over both", async ({ folder: { dir } }) => {
    const site = join(EXAMPLES, "site.yaml");
    const envData = join(dir, "from-env");
    const flagData = join(dir, "from-flag");
    const [fromEnv, fromDefault, fromFlag] = await Promise.all([
      accessgw(["import", site], { cwd: dir, env: { ACCESSGW_DATA: envData } }),
      accessgw(["import", site], { cwd: dir }),
      accessgw(["import", site, "--data", flagData], { cwd: dir, env: { ACCESSGW_DATA: envData } }),
    ]);
    for (const r of [fromEnv, fromDefault, fromFlag]) expect(r.code).toBe(0);
    expect(existsSync(join(envData, "accessgw.db"))).toBe(true);
    expect(existsSync(join(dir, "data", "accessgw.db"))).toBe(true);
    expect(existsSync(join(flagData, "accessgw.db"))).toBe(true);

    // A scan without --data or $ACCESSGW_DATA lands in ./data only.
    const scan = ["scan", "--card", "1", "--area", "gym", "--at", "2027-03-22T10:00", "--json"];
    expect(jsonOf(await accessgw(scan, { cwd: dir })).seq).toBe(1);
    const [inEnv, inDefault] = await Promise.all([
      accessgw(["events", "--json"], { cwd: dir, env: { ACCESSGW_DATA: envData } }),
      accessgw(["events", "--json"], { cwd: dir }),
    ]);
    expect(jsonLines(inEnv)).toEqual([]);
    expect(jsonLines(inDefault)).toHaveLength(1);
  });
});
