import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import { it } from "../harness/index.js";
import {
  accessgw,
  expectAllDecisionFields,
  importExamples,
  jsonLines,
  jsonOf,
  launch,
  type RunOptions,
} from "./accessgw.js";

/** Anna enters the pool, is refused a second entry, then leaves: three recorded decisions. */
async function annaAtThePool(data: string): Promise<Record<string, unknown>[]> {
  const scan = async (at: string, direction = "in") =>
    jsonOf(
      await accessgw([
        "scan",
        "--card",
        "0001234567",
        "--area",
        "pool",
        "--direction",
        direction,
        "--at",
        at,
        "--json",
        "--data",
        data,
      ]),
    );
  return [
    await scan("2027-03-22T10:00"),
    await scan("2027-03-22T10:30"),
    await scan("2027-03-22T10:40", "out"),
  ];
}

/** Bruno enters the gym: one more recorded decision, by another card. */
async function brunoAtTheGym(data: string, at: string): Promise<Record<string, unknown>> {
  return jsonOf(
    await accessgw(["scan", "--card", "7654321", "--area", "gym", "--at", at, "--json", "--data", data]),
  );
}

describe.concurrent("scan records events", () => {
  it('with id "<gateway id>:<seq>" and seq 1, 2, 3, listed by `events --json` one per line, oldest first', async ({
    folder: { data },
  }) => {
    await importExamples(data);
    const scans = await annaAtThePool(data);
    expect(scans.map((s) => [s.id, s.seq, s.reason])).toEqual([
      ["gw-e2e:1", 1, "ok"],
      ["gw-e2e:2", 2, "anti_passback"],
      ["gw-e2e:3", 3, "exit"],
    ]);
    const r = await accessgw(["events", "--json", "--data", data]);
    expect(r.stdout.split("\n")).toHaveLength(4); // three lines and the final newline
    const events = jsonLines(r);
    expect(events).toEqual(scans);
    for (const e of events) expectAllDecisionFields(e);
  });

  it("selects with --since (local or instant) and --limit, and lists them for people, one line each", async ({
    folder: { data },
  }) => {
    await importExamples(data);
    const empty = await accessgw(["events", "--data", data]);
    expect(empty).toMatchObject({ code: 0, stdout: "no events recorded\n" });
    await annaAtThePool(data);
    const seqs = async (...args: string[]) =>
      jsonLines(await accessgw(["events", ...args, "--json", "--data", data])).map((e) => e.seq);
    const [sinceLocal, sinceInstant, limited, both, none, human] = await Promise.all([
      seqs("--since", "2027-03-22T10:30"),
      seqs("--since", "2027-03-22T09:30:01Z"),
      seqs("--limit", "2"),
      seqs("--since", "2027-03-22T10:30", "--limit", "1"),
      seqs("--since", "2027-03-23T00:00"),
      accessgw(["events", "--data", data]),
    ]);
    expect(sinceLocal).toEqual([2, 3]);
    expect(sinceInstant).toEqual([3]);
    expect(limited).toEqual([1, 2]);
    expect(both).toEqual([2]);
    expect(none).toEqual([]);

    expect(human.code).toBe(0);
    const lines = human.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /1 .*2027-03-22 10:00:00 .*GRANT .*ok .*1234567 .*m-anna .*pool in .*mp-anna-swim -1 9\/10/,
    );
    expect(lines[1]).toMatch(/2 .*DENY .*anti_passback/);
    expect(lines[2]).toMatch(/3 .*GRANT .*exit .*pool out/);
  });
});

describe.concurrent("events filters (cli.md)", () => {
  it("select by --card (R1: leading zeros do not matter), --member, --reason, --until and --last, combined with AND", async ({
    folder: { data },
  }) => {
    await importExamples(data);
    await annaAtThePool(data);
    expect((await brunoAtTheGym(data, "2027-03-22T10:35")).seq).toBe(4);
    const seqs = async (...args: string[]) =>
      jsonLines(await accessgw(["events", ...args, "--json", "--data", data])).map((e) => e.seq);
    const results = await Promise.all([
      seqs("--card", "4242424"),
      seqs("--card", "0001234567"),
      seqs("--member", "m-bruno"),
      seqs("--reason", "anti_passback"),
      seqs("--until", "2027-03-22T10:35"),
      seqs("--last", "2"),
      seqs("--card", "1234567", "--reason", "exit"),
      seqs("--member", "m-anna", "--since", "2027-03-22T10:30", "--last", "1"),
    ]);
    expect(results).toEqual([[], [1, 2, 3], [4], [2], [1, 2], [4, 3], [3], [3]]);
  }, 60_000);

  it("refuses an unknown --reason (exit 2), listing the reason codes", async ({ folder: { data } }) => {
    const r = await accessgw(["events", "--reason", "denied", "--data", data]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /--reason "denied" is not a reason code; the reason codes are: ok, reentry, .*area_full/,
    );
  });

  it("--follow --json prints the events another process records while it runs, and exits 0 on SIGINT", async ({
    folder: { data },
  }) => {
    await importExamples(data);
    const { child, output, exited } = launch([
      "events",
      "--follow",
      "--json",
      "--card",
      "1234567",
      "--data",
      data,
    ]);
    try {
      const lines = () =>
        output.stdout
          .split("\n")
          .filter((l) => l !== "")
          .map((l) => JSON.parse(l));
      // Recorded by other processes (the scan verb) while the follow runs; Bruno's is filtered out.
      await annaAtThePool(data);
      await brunoAtTheGym(data, "2027-03-22T10:50");
      await vi.waitFor(
        () =>
          expect(lines().map((e) => [e.seq, e.reason])).toEqual([
            [1, "ok"],
            [2, "anti_passback"],
            [3, "exit"],
          ]),
        {
          timeout: 10_000,
          interval: 50,
        },
      );
      const more = jsonOf(
        await accessgw([
          "scan",
          "--card",
          "1234567",
          "--area",
          "gym",
          "--at",
          "2027-03-22T11:00",
          "--json",
          "--data",
          data,
        ]),
      );
      await vi.waitFor(() => expect(lines().at(-1)).toEqual(more), { timeout: 10_000, interval: 50 });
      child.kill("SIGINT");
      expect(await exited).toMatchObject({ code: 0, stderr: "" });
      expect(lines().map((e) => e.seq)).toEqual([1, 2, 3, 5]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  }, 60_000);
});

describe.concurrent("the gateway id of a data folder", () => {
  const gymScan = (data: string, options?: RunOptions, ...more: string[]) =>
    accessgw(
      [
        "scan",
        "--card",
        "1234567",
        "--area",
        "gym",
        "--at",
        "2027-03-22T10:00",
        "--json",
        "--data",
        data,
        ...more,
      ],
      options,
    );

  it("refuses to record under another id (exit 2, a clear message) and records nothing", async ({
    folder: { data },
  }) => {
    await importExamples(data);
    expect(jsonOf(await gymScan(data, { env: { ACCESSGW_GATEWAY_ID: "gw-a" } })).id).toBe("gw-a:1");
    const r = await gymScan(data, { env: { ACCESSGW_GATEWAY_ID: "gw-b" } });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/records events as gateway "gw-a", not "gw-b"/);
    const events = jsonLines(await accessgw(["events", "--json", "--data", data]));
    expect(events.map((e) => e.id)).toEqual(["gw-a:1"]);
  });

  it("is the config's gateway.id before $ACCESSGW_GATEWAY_ID, and the host name when neither is set", async ({
    folder: { dir, data },
  }) => {
    await importExamples(data);
    const config = join(dir, "gateway.yaml");
    writeFileSync(config, "gateway: { id: gw-config }\n");
    const fromConfig = await gymScan(data, { env: { ACCESSGW_GATEWAY_ID: "gw-env" } }, "--config", config);
    expect(jsonOf(fromConfig).id).toBe("gw-config:1");

    const other = join(dir, "other");
    await importExamples(other);
    const fromHost = await gymScan(other, { env: { ACCESSGW_GATEWAY_ID: undefined } });
    expect(jsonOf(fromHost).id).toBe(`${hostname()}:1`);
  });
});
