import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { it } from "../harness/index.js";
import { accessgw, expectAllDecisionFields, importExamples, jsonLines, jsonOf } from "./accessgw.js";

/** A gateway config whose readers are the pool's two doors. */
function poolReaders(dir: string): string {
  const file = join(dir, "gateway.yaml");
  writeFileSync(
    file,
    [
      "readers:",
      '  - { id: pool-in, area: pool, direction: in, driver: rdm6300, port: "tcp://127.0.0.1:4001" }',
      '  - { id: pool-out, area: pool, direction: out, driver: rdm6300, port: "tcp://127.0.0.1:4002" }',
      "",
    ].join("\n"),
  );
  return file;
}

describe.concurrent("decision JSON (explain --json, scan --json)", () => {
  it("has every field of cli.md, null where nothing applies: an unknown card", async ({
    folder: { data },
  }) => {
    await importExamples(data);
    const d = jsonOf(
      await accessgw([
        "explain",
        "--card",
        "9999999",
        "--area",
        "gym",
        "--at",
        "2027-03-23T10:00",
        "--json",
        "--data",
        data,
      ]),
    );
    expectAllDecisionFields(d);
    expect(d).toMatchObject({
      decision: "deny",
      reason: "unknown_card",
      card: "9999999",
      memberId: null,
      readerId: null,
      multipackId: null,
      productId: null,
      accessTypeId: null,
      creditsDeducted: 0,
      creditsRemaining: null,
      creditsTotal: null,
    });
    expect(typeof d.message).toBe("string");
    expect(d).not.toHaveProperty("id");
  });

  it("gives readerId null with --area and the reader's id, area and direction with --reader", async ({
    folder: { dir, data },
  }) => {
    await importExamples(data);
    const config = poolReaders(dir);
    const common = ["--card", "1234567", "--json", "--data", data];
    const byArea = jsonOf(await accessgw(["scan", "--area", "pool", "--at", "2027-03-22T10:00", ...common]));
    expectAllDecisionFields(byArea);
    expect(byArea).toMatchObject({ readerId: null, area: "pool", direction: "in", decision: "grant" });

    const out = jsonOf(
      await accessgw([
        "scan",
        "--reader",
        "pool-out",
        "--config",
        config,
        "--at",
        "2027-03-22T10:40",
        ...common,
      ]),
    );
    expectAllDecisionFields(out);
    expect(out).toMatchObject({ readerId: "pool-out", area: "pool", direction: "out", reason: "exit" });

    const back = jsonOf(
      await accessgw([
        "explain",
        "--reader",
        "pool-in",
        "--config",
        config,
        "--at",
        "2027-03-22T11:00",
        ...common,
      ]),
    );
    expectAllDecisionFields(back);
    expect(back).toMatchObject({
      readerId: "pool-in",
      direction: "in",
      reason: "reentry",
      creditsDeducted: 0,
    });
  });

  it("reads --at with an offset or Z as an instant and without one as Rome wall time", async ({
    folder: { data },
  }) => {
    await importExamples(data);
    const at = async (t: string) =>
      jsonOf(
        await accessgw([
          "explain",
          "--card",
          "1234567",
          "--area",
          "pool",
          "--at",
          t,
          "--json",
          "--data",
          data,
        ]),
      );
    const [local, utc, offset, beforePeak, afterDst] = await Promise.all([
      at("2027-03-22T10:00"),
      at("2027-03-22T16:30:00Z"),
      at("2027-03-22T18:00+02:00"),
      at("2027-03-22T16:59"),
      at("2027-04-01T17:00"),
    ]);
    // 22 Mar is before the DST change: Rome is UTC+1; 1 Apr is after it: UTC+2.
    expect(local).toMatchObject({ at: "2027-03-22T09:00:00.000Z", accessTypeId: "pool-offpeak" });
    expect(utc).toMatchObject({ at: "2027-03-22T16:30:00.000Z", accessTypeId: "pool-peak" });
    expect(offset).toMatchObject({ at: "2027-03-22T16:00:00.000Z", accessTypeId: "pool-peak" });
    expect(beforePeak).toMatchObject({ accessTypeId: "pool-offpeak" });
    expect(afterDst).toMatchObject({ at: "2027-04-01T15:00:00.000Z", accessTypeId: "pool-peak" });
  });
});

describe.concurrent("explain", () => {
  it("never records: the same answer twice, no events, the balance untouched", async ({
    folder: { data },
  }) => {
    await importExamples(data);
    const explain = async () =>
      jsonOf(
        await accessgw([
          "explain",
          "--card",
          "1234567",
          "--area",
          "pool",
          "--at",
          "2027-03-22T10:00",
          "--json",
          "--data",
          data,
        ]),
      );
    const first = await explain();
    expect(first).toMatchObject({ decision: "grant", creditsDeducted: 1, creditsRemaining: 9 });
    // Not recorded: no anti-passback on the second try, no credit gone.
    expect(await explain()).toEqual(first);
    const [events, balance] = await Promise.all([
      accessgw(["events", "--json", "--data", data]),
      accessgw(["balance", "--card", "1234567", "--at", "2027-03-22T10:00", "--json", "--data", data]),
    ]);
    expect(events).toEqual({ code: 0, stdout: "", stderr: "" });
    const b = jsonOf<{ multipacks: { creditsRemaining: number }[] }>(balance);
    expect(b.multipacks[0]?.creditsRemaining).toBe(10);
  });
});

describe.concurrent("human output of explain and scan", () => {
  it("starts with GRANTED and shows the reason in words, member, pack, credits and the trace", async ({
    folder: { data },
  }) => {
    await importExamples(data);
    const r = await accessgw([
      "scan",
      "--card",
      "1234567",
      "--area",
      "pool",
      "--at",
      "2027-03-22T10:00",
      "--data",
      data,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^GRANTED/);
    expect(r.stdout).toContain("valid entitlement");
    expect(r.stdout).toContain("m-anna");
    expect(r.stdout).toContain("mp-anna-swim");
    expect(r.stdout).toContain("swim10");
    expect(r.stdout).toContain("1 deducted, 9/10 left");
    expect(r.stdout).toContain("Welcome Anna");
    expect(r.stdout).toContain("trace:");
    expect(r.stdout).toMatch(/mp-anna-swim pool-offpeak chosen ok/);
    expect(r.stdout).toMatch(/mp-anna-swim pool-peak skipped outside_time_window/);
    expect(r.stdout).toContain("gw-e2e:1");
  });

  it("starts with DENIED and says why, with the trace, for explain too", async ({ folder: { data } }) => {
    await importExamples(data);
    const r = await accessgw([
      "explain",
      "--card",
      "7654321",
      "--area",
      "gym",
      "--at",
      "2027-03-23T05:00",
      "--data",
      data,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^DENIED/);
    expect(r.stdout).toContain("outside_time_window");
    expect(r.stdout).toContain("outside the allowed time windows");
    expect(r.stdout).toContain("m-bruno");
    expect(r.stdout).toMatch(/mp-bruno-flex gym-all skipped outside_time_window/);
    expect(r.stdout).toContain("nothing was recorded");
    expect(jsonLines(await accessgw(["events", "--json", "--data", data]))).toEqual([]);
  });
});
