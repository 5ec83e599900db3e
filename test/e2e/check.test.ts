import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { it } from "../harness/index.js";
import { accessgw, importExamples, jsonOf, ROOT } from "./accessgw.js";

/** A reader in YAML flow syntax, on a simulated serial device of its own. */
const rd = (fields: string, port: number) =>
  `  - { ${fields}, driver: rdm6300, port: "tcp://127.0.0.1:${port}" }`;

const GOOD = [
  "readers:",
  rd("id: pool-in, area: pool, direction: in", 4001),
  rd("id: gym-in, area: gym, direction: in", 4002),
];

/** Writes `gateway.yaml` in `dir`; the runs use cwd = dir, so messages name the file as given. */
function gatewayYaml(dir: string, lines: string[]): string {
  writeFileSync(join(dir, "gateway.yaml"), `${lines.join("\n")}\n`);
  return "gateway.yaml";
}

describe.concurrent("check --config FILE", () => {
  it('says "no problems found" (exit 0) and creates no data folder when none exists', async ({
    folder: { dir, data },
  }) => {
    const file = gatewayYaml(dir, GOOD);
    const [human, json] = await Promise.all([
      accessgw(["check", "--config", file, "--data", data], { cwd: dir }),
      accessgw(["check", "--config", file, "--json", "--data", data], { cwd: dir }),
    ]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/no problems found/);
    expect(jsonOf(json)).toMatchObject({ ok: true, problems: [] });
    expect(existsSync(data)).toBe(false);
  });

  it("prints warnings (a reserved Modbus unit, a serial port that is not there yet) but exits 0", async ({
    folder: { dir, data },
  }) => {
    const file = gatewayYaml(dir, [
      ...GOOD,
      "relays:",
      `  - { id: lctech, driver: modbus-rtu, port: ${join(dir, "ttyUSB7")}, unitId: 255 }`,
    ]);
    const [human, json] = await Promise.all([
      accessgw(["check", "--config", file, "--data", data], { cwd: dir }),
      accessgw(["check", "--config", file, "--json", "--data", data], { cwd: dir }),
    ]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/no problems found/);
    const warnings = human.stderr.split("\n").filter((l) => l.startsWith("warning: "));
    expect(warnings).toEqual([
      expect.stringMatching(/^warning: gateway\.yaml: relays\[0\]\.port: .*ttyUSB7 does not exist \(yet\)/),
      expect.stringMatching(
        /^warning: gateway\.yaml: relays\[0\]\.unitId: 255 is in the range Modbus reserves/,
      ),
    ]);
    expect(json.code).toBe(0);
    expect(jsonOf(json)).toMatchObject({
      ok: true,
      problems: [],
      warnings: [expect.any(String), expect.any(String)],
    });
  });

  it("reports every problem at once, one per line naming file and path, and exits 2", async ({
    folder: { dir, data },
  }) => {
    await importExamples(data);
    const file = gatewayYaml(dir, [
      ...GOOD,
      rd("id: spa-in, area: spa, direction: in", 4003),
      rd("id: pool-in, area: pool, direction: out", 4004),
      rd("id: sauna-out, area: sauna, direction: sideways", 4005),
      "log: { level: chatty }",
    ]);
    const [r, json] = await Promise.all([
      accessgw(["check", "--config", file, "--data", data], { cwd: dir }),
      accessgw(["check", "--config", file, "--json", "--data", data], { cwd: dir }),
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    for (const expected of [
      /^gateway\.yaml: readers\[2\]\.area: unknown area "spa"/,
      /^gateway\.yaml: readers\[3\]\.id: duplicate reader id "pool-in"/,
      /^gateway\.yaml: readers\[4\]\.area: unknown area "sauna"/,
      /^gateway\.yaml: readers\[4\]\.direction: /,
      /^gateway\.yaml: log\.level: /,
    ])
      expect(
        lines.some((l) => expected.test(l)),
        `a line matching ${expected}`,
      ).toBe(true);

    expect(json.code).toBe(2);
    const doc = JSON.parse(json.stdout) as { ok: boolean; problems: string[] };
    expect(doc.ok).toBe(false);
    expect(doc.problems).toHaveLength(5);
    expect(doc.problems).toContain(
      'gateway.yaml: readers[2].area: unknown area "spa" (the site has: gym, pool, studio)',
    );
  });

  it("issue 13: accepts osdp readers sharing a bus, refuses a duplicate address and an open key file (exit 2), warns about a missing key", async ({
    folder: { dir, data },
  }) => {
    const pd = (fields: string) =>
      `  - { ${fields}, area: pool, direction: in, driver: osdp, port: "tcp://127.0.0.1:4010" }`;
    writeFileSync(join(dir, "open.scbk"), "000102030405060708090a0b0c0d0e0f\n", { mode: 0o644 });
    chmodSync(join(dir, "open.scbk"), 0o644);
    const file = gatewayYaml(dir, [
      "readers:",
      pd("id: pool-in, address: 1, scbkFile: keys/pool-in.scbk"),
      pd("id: pool-out, address: 2, scbkFile: open.scbk"),
      pd("id: spa-in, address: 2, secureChannel: off"),
    ]);
    const r = await accessgw(["check", "--config", file, "--json", "--data", data], { cwd: dir });
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as { problems: string[]; warnings: string[] };
    expect(doc.problems).toEqual([
      'gateway.yaml: readers[2].address: reader "spa-in" (readers[2]) and reader "pool-out" (readers[1]) both have address 2 on tcp://127.0.0.1:4010; each PD on a bus needs its own address',
      `gateway.yaml: readers[1].scbkFile: ${join(dir, "open.scbk")} has mode 0644, open to group or others; the daemon refuses the key of reader "pool-out" (readers[1]) (chmod 600 ${join(dir, "open.scbk")})`,
    ]);
    expect(doc.warnings).toEqual([
      `gateway.yaml: readers[0].scbkFile: ${join(dir, "keys", "pool-in.scbk")} does not exist (yet): reader "pool-in" (readers[0]) stays in install mode until \`accessgw osdp keyset --reader pool-in\` writes it`,
    ]);
  });

  it("passes the demo gateway.yaml (every driver kind, simulated devices) against the demo site", async ({
    folder: { data },
  }) => {
    const site = join(ROOT, "config", "demo", "site.yaml");
    const imported = await accessgw(["import", site, "--data", data]);
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(0);
    const config = join("config", "demo", "gateway.yaml");
    const [human, json] = await Promise.all([
      accessgw(["check", "--config", config, "--data", data]),
      accessgw(["check", "--config", config, "--json", "--data", data]),
    ]);
    expect(human.stderr).toBe("");
    expect(human.stdout).toBe("config/demo/gateway.yaml: no problems found\n");
    expect(human.code).toBe(0);
    expect(jsonOf(json)).toEqual({ ok: true, problems: [], warnings: [], areasChecked: true });
  });

  it("checks reader areas only against a stored site: without one, an unknown area passes", async ({
    folder: { dir, data },
  }) => {
    const file = gatewayYaml(dir, ["readers:", rd("id: spa-in, area: spa, direction: in", 4001)]);
    const doc = jsonOf(await accessgw(["check", "--config", file, "--json", "--data", data], { cwd: dir }));
    expect(doc).toEqual({ ok: true, problems: [], warnings: [], areasChecked: false });
    expect(existsSync(data)).toBe(false);
  });

  it("reports a gateway.id that the data folder would refuse to record under", async ({
    folder: { dir, data },
  }) => {
    await importExamples(data);
    const scan = [
      "scan",
      "--card",
      "1",
      "--area",
      "gym",
      "--at",
      "2027-03-22T10:00",
      "--json",
      "--data",
      data,
    ];
    jsonOf(await accessgw(scan));
    const file = gatewayYaml(dir, ["gateway: { id: gw-other }", ...GOOD]);
    const r = await accessgw(["check", "--config", file, "--data", data], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^gateway\.yaml: gateway\.id: "gw-other", but .* records events as gateway "gw-e2e"/m,
    );
  });

  it("exits 2 on a file that does not parse, naming file and line, and on a missing file", async ({
    folder: { dir, data },
  }) => {
    const file = gatewayYaml(dir, ["readers:", "  - { id: pool-in, area: pool"]);
    const [r, missing] = await Promise.all([
      accessgw(["check", "--config", file, "--json", "--data", data], { cwd: dir }),
      accessgw(["check", "--config", "nope.yaml", "--data", data], { cwd: dir }),
    ]);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as { ok: boolean; problems: string[] };
    expect(doc.ok).toBe(false);
    expect(doc.problems[0]).toMatch(/^gateway\.yaml \(line \d+, column \d+\)/);

    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toMatch(/^nope\.yaml: cannot read the file/);
  });
});
