/**
 * The reference central's input: both files validated together like `accessgw import` (every problem
 * names file and field), an invalid edit refused whole while the previous data stays in force, a data
 * folder of another site refused, and the command line's flags checked all at once.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { stringify } from "yaml";
import { Central } from "../../central/central.js";
import { checkFlags } from "../../central/cli.js";
import { LOCK_FILE } from "../../central/dataLock.js";
import { loadSources } from "../../central/sourceFiles.js";
import { AccessGwError } from "../../config/errors.js";
import { freePort } from "../../firmware-sim/mosquitto.js";
import { type Defer, it } from "../harness/index.js";
import { exampleDoc, exampleText } from "../helpers/examples.js";
import { silentLogger } from "../helpers/logs.js";

type MembersDoc = { members: Record<string, unknown>[] };

const noOwner = () => undefined;

describe("the central's files", () => {
  it("loads the worked example's site and members", ({ exampleFiles: f }) => {
    const r = loadSources({ siteConfigFile: f.siteFile, membersFile: f.membersFile }, "rome-center", noOwner);
    expect(r.problems).toEqual([]);
    expect(r.data?.config.site.id).toBe("rome-center");
    expect(r.data?.members.map((m) => m.id)).toEqual(["m-anna", "m-bruno", "m-carla", "m-dario"]);
  });

  it("names file and field of every problem, like accessgw import", ({ exampleFiles: f }) => {
    const doc = exampleDoc<MembersDoc>("members.yaml");
    (doc.members[0] as { multipacks: { product: string }[] }).multipacks[0] = {
      ...(doc.members[0] as { multipacks: object[] }).multipacks[0],
      product: "pool-11",
    } as { product: string };
    (doc.members[1] as Record<string, unknown>).colour = "red";
    writeFileSync(f.membersFile, stringify(doc));
    const bad = loadSources(
      { siteConfigFile: f.siteFile, membersFile: f.membersFile },
      "rome-center",
      noOwner,
    );
    expect(bad.data).toBeNull();
    expect(bad.problems).toEqual([`${f.membersFile}: members[1] (m-bruno): unknown field "colour"`]);
    delete (doc.members[1] as Record<string, unknown>).colour;
    writeFileSync(f.membersFile, stringify(doc));
    expect(
      loadSources({ siteConfigFile: f.siteFile, membersFile: f.membersFile }, "rome-center", noOwner)
        .problems,
    ).toEqual([
      `${f.membersFile}: members[0] (m-anna).multipacks[0] (mp-anna-swim).product: unknown product "pool-11"`,
    ]);
  });

  it("refuses another site's configuration, a site configuration in the members file, YAML errors and missing files", ({
    exampleFiles: f,
  }) => {
    expect(loadSources({ siteConfigFile: f.siteFile }, "milan", noOwner).problems).toEqual([
      `${f.siteFile}: site.id: "rome-center" is not the site this central serves ("milan", --site)`,
    ]);
    writeFileSync(f.membersFile, `${exampleText("members.yaml")}\nareas: [{ id: sauna }]\n`);
    expect(
      loadSources({ siteConfigFile: f.siteFile, membersFile: f.membersFile }, "rome-center", noOwner)
        .problems,
    ).toEqual([`${f.membersFile}: areas: the site configuration belongs in --site-config (${f.siteFile})`]);
    writeFileSync(f.membersFile, "members: [ { id: m-1\n");
    const yaml = loadSources(
      { siteConfigFile: f.siteFile, membersFile: f.membersFile },
      "rome-center",
      noOwner,
    );
    expect(yaml.problems[0]).toMatch(
      new RegExp(`^${f.membersFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(line \\d+, column \\d+\\): `),
    );
    const missing = join(f.dir, "nope.yaml");
    expect(loadSources({ siteConfigFile: missing }, "rome-center", noOwner).problems).toEqual([
      `${missing}: cannot read the file (ENOENT)`,
    ]);
  });

  it("refuses to move a multipack to another member, which the gateways would refuse", ({
    exampleFiles: f,
  }) => {
    const owner = (id: string) => (id === "mp-anna-swim" ? "m-anna" : undefined);
    const doc = exampleDoc<MembersDoc>("members.yaml");
    const anna = doc.members[0] as { multipacks: unknown[] };
    const bruno = doc.members[1] as { multipacks: unknown[] };
    bruno.multipacks.push(anna.multipacks.pop());
    writeFileSync(f.membersFile, stringify(doc));
    expect(
      loadSources({ siteConfigFile: f.siteFile, membersFile: f.membersFile }, "rome-center", owner).problems,
    ).toEqual([
      `${f.membersFile}: members[1] (m-bruno).multipacks[2] (mp-anna-swim).id: multipack "mp-anna-swim" already belongs to member "m-anna"`,
    ]);
  });
});

describe("the Central with its files", () => {
  async function central(
    defer: Defer,
    f: { siteFile: string; membersFile: string; data: string },
    siteId = "rome-center",
  ) {
    const port = await freePort(); // nothing listens there: the central keeps retrying, quietly
    const c = new Central({
      logger: silentLogger(),
      siteId,
      siteConfigFile: f.siteFile,
      membersFile: f.membersFile,
      brokerUrl: `mqtt://127.0.0.1:${port}`,
      dataDir: f.data,
      watch: false,
      env: {},
    });
    defer(() => c.stop());
    return c;
  }

  it("refuses an invalid edit whole and keeps the previous data; takes the next valid one", async ({
    exampleFiles: f,
    defer,
  }) => {
    const c = await central(defer, f);
    await c.start();
    expect({ config: c.configRev(), site: c.siteRev() }).toEqual({ config: 1, site: 1 });
    const anna = c.memberDoc("m-anna");

    const doc = exampleDoc<MembersDoc>("members.yaml");
    (doc.members[0] as Record<string, unknown>).name = "Anna Maria";
    (doc.members[2] as { multipacks: { product: string }[] }).multipacks[0] = {
      ...(doc.members[2] as { multipacks: object[] }).multipacks[0],
      product: "nope",
    } as { product: string };
    writeFileSync(f.membersFile, stringify(doc));
    const refused = await c.reload();
    expect(refused).toMatchObject({ accepted: false, revs: [], configRev: 1 });
    expect(refused.problems).toEqual([
      `${f.membersFile}: members[2] (m-carla).multipacks[0] (mp-carla-trial).product: unknown product "nope"`,
    ]);
    expect(c.memberDoc("m-anna")).toEqual(anna);
    expect(c.siteRev()).toBe(1);

    const original = exampleDoc<MembersDoc>("members.yaml").members[2] as {
      multipacks: { product: string }[];
    };
    (doc.members[2] as { multipacks: { product: string }[] }).multipacks[0] = original.multipacks[0] as {
      product: string;
    };
    writeFileSync(f.membersFile, stringify(doc));
    expect(await c.reload()).toEqual({ accepted: true, problems: [], configRev: 1, revs: [2] });
    expect(c.memberDoc("m-anna")?.name).toBe("Anna Maria");
    expect(c.counters()).toMatchObject({ reloadsAccepted: 1, reloadsRefused: 1 });
  });

  it("does not start on bad files: every problem in one DATA_INVALID error, and the data folder is left unlocked", async ({
    exampleFiles: f,
    defer,
  }) => {
    writeFileSync(f.membersFile, "members: [{ id: m-1, cards: [{ numbr: 1 }] }, { id: m-2, colour: red }]\n");
    const c = await central(defer, f);
    const err = await c.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AccessGwError);
    expect((err as AccessGwError).code).toBe("DATA_INVALID");
    expect((err as AccessGwError).exitCode).toBe(2);
    expect((err as AccessGwError).problems).toEqual(
      expect.arrayContaining([
        `${f.membersFile}: members[0] (m-1).cards[0]: unknown field "numbr" (did you mean "number"?)`,
        `${f.membersFile}: members[1] (m-2): unknown field "colour"`,
      ]),
    );
    expect(existsSync(join(f.data, LOCK_FILE))).toBe(false);
  });

  it("refuses a data folder that belongs to another site", async ({ exampleFiles: f, defer }) => {
    const first = await central(defer, f);
    await first.start();
    await first.stop();
    const site = exampleDoc<{ site: Record<string, unknown> }>("site.yaml");
    writeFileSync(f.siteFile, stringify({ ...site, site: { ...site.site, id: "milan" } }));
    const other = await central(defer, f, "milan");
    await expect(other.start()).rejects.toThrow(/belongs to site "rome-center", not "milan"/);
  });
});

describe("accessgw central's flags", () => {
  const flags = (more: Record<string, string | boolean>) => ({ json: false, help: false, ...more });

  it("reports every missing or bad flag at once", () => {
    const r = checkFlags(
      flags({ "part-bytes": "100", "log-format": "xml", "log-level": "loud", "topic-prefix": "a/#" }),
      ["extra"],
    );
    expect(r.options).toBeNull();
    expect(r.problems).toEqual([
      'unexpected arguments "extra" (every input is a flag)',
      "--site S is required (the site this central serves)",
      "--site-config FILE is required",
      expect.stringMatching(/^--topic-prefix "a\/#": /),
      '--part-bytes must be a whole number from 1024 to 268435455 (found "100")',
      '--log-format must be json or pretty (found "xml")',
      '--log-level must be one of fatal, error, warn, info, debug, trace, silent (found "loud")',
      "--broker URL is required (e.g. mqtt://127.0.0.1:1883)",
    ]);
  });

  it("§6: --log-level sets the level of its logs", () => {
    const r = checkFlags(
      flags({
        site: "rome-center",
        "site-config": "site.yaml",
        broker: "mqtt://127.0.0.1:1883",
        "log-level": "debug",
      }),
      [],
    );
    expect(r.problems).toEqual([]);
    expect(r.logLevel).toBe("debug");
  });

  it("never takes broker credentials from the command line", () => {
    const r = checkFlags(
      flags({ site: "rome-center", "site-config": "site.yaml", broker: "mqtt://gw:secret@127.0.0.1:1883" }),
      [],
    );
    expect(r.problems).toEqual([
      "--broker mqtt://gw:***@127.0.0.1:1883: credentials are never taken from the command line; set ACCESSGW_MQTT_USERNAME and ACCESSGW_MQTT_PASSWORD",
    ]);
  });

  it("gives the defaults a technician expects", () => {
    const r = checkFlags(
      flags({ site: "rome-center", "site-config": "site.yaml", broker: "mqtt://127.0.0.1:1883" }),
      [],
    );
    expect(r.options).toEqual({
      siteId: "rome-center",
      siteConfigFile: "site.yaml",
      mqtt: { url: "mqtt://127.0.0.1:1883" },
      dataDir: "./central-data",
      topicPrefix: "accessgw/v1",
    });
  });
});
