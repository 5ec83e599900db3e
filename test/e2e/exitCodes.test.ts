import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { it } from "../harness/index.js";
import { tempDir } from "../helpers/build.js";
import { accessgw, importExamples, jsonOf, ROOT } from "./accessgw.js";

const AT = ["--at", "2027-03-22T10:00"];

describe("exit codes: 0 for every answer, grants and denies alike", () => {
  it("exits 0 on a grant and on a deny, for explain and for scan", async ({ folder: { data } }) => {
    await importExamples(data);
    const run = async (verb: string, card: string) =>
      jsonOf(await accessgw([verb, "--card", card, "--area", "pool", ...AT, "--json", "--data", data]));
    const [grant, deny] = await Promise.all([run("explain", "1234567"), run("explain", "9999999")]);
    expect(grant.decision).toBe("grant");
    expect(deny.decision).toBe("deny");
    expect((await run("scan", "1234567")).decision).toBe("grant");
    expect(await run("scan", "1234567")).toMatchObject({ decision: "deny", reason: "anti_passback" });
  });
});

/**
 * Bad input exits 2, anything else 1; with --json nothing but the document goes to stdout, so a
 * failing run leaves stdout empty and says why on stderr. These runs change nothing, so they share
 * one data folder holding the example site.
 */
describe.concurrent("exit codes: 2 for bad input, 1 for anything else, errors only on stderr", () => {
  let folder: { dir: string; cleanup: () => void };
  let data: string;
  let config: string;
  let brokenConfig: string;

  beforeAll(async () => {
    folder = tempDir("accessgw-e2e-exit-");
    data = join(folder.dir, "data");
    await importExamples(data);
    config = join(folder.dir, "gateway.yaml");
    writeFileSync(
      config,
      "readers: [{ id: pool-in, area: pool, direction: in, driver: rdm6300, port: /dev/ttyS0 }]\n",
    );
    brokenConfig = join(folder.dir, "broken.yaml");
    writeFileSync(
      brokenConfig,
      "readers: [{ id: pool-in, area: pool, direction: sideways, driver: rdm6300, port: /dev/ttyS0 }]\n",
    );
  });
  afterAll(() => folder.cleanup());

  const cases: { name: string; args: () => string[]; code: 1 | 2; stderr: RegExp }[] = [
    { name: "no verb", args: () => [], code: 2, stderr: /usage: accessgw/ },
    { name: "an unknown verb", args: () => ["frobnicate"], code: 2, stderr: /unknown verb "frobnicate"/ },
    { name: "an unknown flag", args: () => ["events", "--bogus"], code: 2, stderr: /--bogus/ },
    {
      name: "a flag the verb does not take",
      args: () => ["events", "--log-format", "json"],
      code: 2,
      stderr:
        /^accessgw events: events does not take --log-format \(a flag of start\)\nsee accessgw events --help\n$/,
    },
    {
      name: "a flag given twice",
      args: () => ["balance", "--card", "1", "--card", "2"],
      code: 2,
      stderr: /--card given more than once/,
    },
    {
      name: "a misspelt verb",
      args: () => ["bakup", "--to", "x.db"],
      code: 2,
      stderr: /unknown verb "bakup" — did you mean backup\?/,
    },
    {
      name: "events with --limit and --last",
      args: () => ["events", "--limit", "1", "--last", "1"],
      code: 2,
      stderr: /--limit and --last do not go together/,
    },
    { name: "explain without --card", args: () => ["explain", "--area", "pool"], code: 2, stderr: /--card/ },
    {
      name: "both --reader and --area",
      args: () => ["explain", "--card", "1", "--area", "pool", "--reader", "pool-in", "--config", config],
      code: 2,
      stderr: /--reader ID or --area A/,
    },
    {
      name: "a --direction other than in or out",
      args: () => ["scan", "--card", "1", "--area", "pool", "--direction", "sideways"],
      code: 2,
      stderr: /--direction must be in or out/,
    },
    {
      name: "an --at that is not ISO 8601",
      args: () => ["scan", "--card", "1", "--area", "pool", "--at", "22/03/2027 10:00"],
      code: 2,
      stderr: /--at "22\/03\/2027 10:00"/,
    },
    {
      name: "an --at that is not a real date",
      args: () => ["explain", "--card", "1", "--area", "pool", "--at", "2027-02-30T10:00"],
      code: 2,
      stderr: /--at/,
    },
    {
      name: "an unknown reader without --config",
      args: () => ["scan", "--card", "1", "--reader", "pool-in"],
      code: 2,
      stderr: /unknown reader "pool-in"/,
    },
    {
      name: "an unknown reader in the config",
      args: () => ["scan", "--card", "1", "--reader", "spa-in", "--config", config],
      code: 2,
      stderr: /unknown reader "spa-in"/,
    },
    {
      name: "an invalid --config",
      args: () => ["explain", "--card", "1", "--reader", "pool-in", "--config", brokenConfig],
      code: 2,
      stderr: /broken\.yaml: readers\[0\]\.direction/,
    },
    {
      name: "an unknown area",
      args: () => ["scan", "--card", "1234567", "--area", "spa", ...AT],
      code: 2,
      stderr: /unknown area "spa"/,
    },
    { name: "import without a file", args: () => ["import"], code: 2, stderr: /at least one FILE/ },
    {
      name: "import of a missing file",
      args: () => ["import", join(folder.dir, "nope.yaml")],
      code: 2,
      stderr: /nope\.yaml: cannot read the file/,
    },
    {
      name: "balance without --card or --member",
      args: () => ["balance"],
      code: 2,
      stderr: /--card N or --member ID/,
    },
    {
      name: "balance of an unknown card",
      args: () => ["balance", "--card", "424242", ...AT],
      code: 2,
      stderr: /unknown card "424242"/,
    },
    { name: "events with a bad --limit", args: () => ["events", "--limit=-1"], code: 2, stderr: /--limit/ },
    {
      name: "events with a bad --since",
      args: () => ["events", "--since", "soon"],
      code: 2,
      stderr: /--since/,
    },
    { name: "check without --config", args: () => ["check"], code: 2, stderr: /check needs --config/ },
  ];

  for (const c of cases)
    it(`exits ${c.code} on ${c.name}`, async () => {
      const r = await accessgw([...c.args(), "--json", "--data", data]);
      expect(r.stderr).toMatch(c.stderr);
      expect(r.stdout).toBe("");
      expect(r.code).toBe(c.code);
    });

  it("exits 1 on a scan into a data folder without a site (the cache is not ready: not bad input)", async () => {
    const empty = join(folder.dir, "empty");
    const r = await accessgw([
      "scan",
      "--card",
      "1234567",
      "--area",
      "pool",
      ...AT,
      "--json",
      "--data",
      empty,
    ]);
    expect(r.stderr).toMatch(/no site configuration/);
    expect(r.stdout).toBe("");
    expect(r.code).toBe(1);
  });

  it("exits 1 when the cache in the data folder is unreadable", async () => {
    const corrupt = join(folder.dir, "corrupt");
    mkdirSync(corrupt);
    writeFileSync(join(corrupt, "accessgw.db"), "this is not a SQLite database, not at all ".repeat(40));
    const r = await accessgw(["events", "--json", "--data", corrupt]);
    expect(r.stderr).toMatch(/cannot open the cache/);
    expect(r.stdout).toBe("");
    expect(r.code).toBe(1);
  });
});

describe.concurrent("help", () => {
  it("prints the usage on stdout and exits 0 with --help", async () => {
    const r = await accessgw(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: accessgw <verb>/);
    for (const verb of ["import", "explain", "scan", "balance", "events", "check", "start", "status", "sim"])
      expect(r.stdout).toContain(`  ${verb} `);
  });

  it("prints a verb's usage, its flags and an example with VERB --help", async () => {
    const r = await accessgw(["events", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: accessgw events \[--card N\]/);
    expect(r.stdout).toMatch(/^ {2}--follow /m);
    expect(r.stdout).toMatch(/example:\n {2}accessgw events /);
  });

  it("prints the version of package.json with --version", async () => {
    const r = await accessgw(["--version"]);
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  it("works as `npx accessgw --help` from the repository root", async () => {
    const r = await accessgw(["--help"], { npx: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: accessgw <verb>/);
  });

  it("starts the simulator as `npx accessgw sim`, with its own usage and exit codes", async () => {
    const help = await accessgw(["sim", "--help"], { npx: true });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: accessgw-sim --config sim.yaml/);
    const bad = await accessgw(["sim", "--config", "no-such-sim.yaml"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("no-such-sim.yaml: cannot read the file");
  });
});
