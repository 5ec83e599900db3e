import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect } from "vitest";
import { main } from "../../gateway/cli.js";
import { serviceUnit } from "../../gateway/installService.js";
import { it } from "../harness/index.js";

/** Runs the command line in-process; returns the exit code and what it wrote. */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, {
    out: (s) => {
      out += `${s}\n`;
    },
    err: (s) => {
      err += `${s}\n`;
    },
    env: {},
  });
  return { code, out, err };
}

const OPTIONS = {
  user: "accessgw",
  config: "/etc/accessgw/gateway.yaml",
  data: "/var/lib/accessgw",
  node: "/usr/bin/node",
  bin: "/usr/lib/node_modules/accessgw/bin/accessgw.js",
  version: "1.2.3",
};

/** The unit's `Key=value` lines (comments and section headers aside), in order. */
function directives(unit: string): string[] {
  return unit.split("\n").filter((l) => /^[A-Za-z]+=/.test(l));
}

describe("the systemd unit", () => {
  it.each([
    ["Type=notify", "the daemon says READY=1 itself (runtime/serviceNotify.ts)"],
    ["NotifyAccess=main", "only the daemon's own process may notify"],
    ["WatchdogSec=30", "a hung event loop stops the pings and systemd restarts it"],
    ["Restart=always", "back after any exit, a crash or a power cut"],
    ["ExecReload=/bin/kill -HUP $MAINPID", "systemctl reload sends SIGHUP"],
    ["SupplementaryGroups=dialout", "the serial readers and relay boards"],
    ["ProtectSystem=strict", "everything read-only"],
    ["ReadWritePaths=/var/lib/accessgw", "but the data folder"],
    ["NoNewPrivileges=yes", "no setuid way up"],
    ["Environment=ACCESSGW_DATA=/var/lib/accessgw", "the data folder for the daemon"],
    [
      "ExecStart=/usr/bin/node /usr/lib/node_modules/accessgw/bin/accessgw.js start --config /etc/accessgw/gateway.yaml",
      "absolute node and bin",
    ],
    ["User=accessgw", "its own user"],
    ["After=network-online.target", "after the network is up"],
    ["PrivateTmp=yes", "a private /tmp"],
    ["UMask=0077", "member data 0600 / 0700"],
    ["StartLimitIntervalSec=0", "never gives up restarting"],
    ["WantedBy=multi-user.target", "started at boot once enabled"],
  ])("has %s (%s)", (line) => {
    expect(directives(serviceUnit(OPTIONS))).toContain(line);
  });

  it("keeps the serial ports visible and node's JIT working (no PrivateDevices, no MemoryDenyWriteExecute)", () => {
    const keys = directives(serviceUnit(OPTIONS)).map((l) => l.split("=")[0]);
    expect(keys).not.toContain("PrivateDevices");
    expect(keys).not.toContain("MemoryDenyWriteExecute");
    expect(new Set(keys.filter((k) => k !== "Environment")).size).toBe(
      keys.filter((k) => k !== "Environment").length,
    );
  });

  it("is a unit systemd-analyze verify reads without a complaint", ({ folder, writeFile }) => {
    const file = writeFile(
      "accessgw.service",
      serviceUnit({ ...OPTIONS, node: process.execPath, bin: folder.dir }),
    );
    const r = spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8" });
    expect(r.error).toBeUndefined();
    // It names a unit it finds wrong on stderr (an unknown key, a bad value) even with exit 0.
    expect(r.stderr.split("\n").filter((l) => l.includes("accessgw.service"))).toEqual([]);
  });
});

describe("accessgw install-service", () => {
  it("--print prints the unit with this node and this bin, and writes nothing", async ({ folder }) => {
    const r = await run("install-service", "--print", "--data", folder.data);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    const bin = realpathSync(fileURLToPath(new URL("../../bin/accessgw.js", import.meta.url)));
    expect(r.out).toContain(
      `\nExecStart=${process.execPath} ${bin} start --config /etc/accessgw/gateway.yaml\n`,
    );
    expect(r.out).toContain(`\nReadWritePaths=${folder.data}\n`);
    expect(existsSync(folder.data)).toBe(false);
  });

  it("writes the unit where --unit says, prints the next steps, and leaves the same unit unchanged", async ({
    folder,
  }) => {
    const unit = join(folder.dir, "gate.service");
    const args = ["install-service", "--unit", unit, "--user", "gate", "--data", folder.data];
    const first = await run(...args);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(new RegExp(`^wrote ${unit}\nnext steps \\(as root\\):\n`));
    expect(first.out).toContain("useradd --system");
    expect(first.out).toContain(`install -d -m 0700 -o gate -g gate ${folder.data}`);
    expect(first.out).toContain("systemctl daemon-reload\n");
    expect(first.out).toContain("systemctl enable --now gate\n");
    expect(directives(readFileSync(unit, "utf8"))).toContain("User=gate");
    expect(statSync(unit).mode & 0o777).toBe(0o644);

    const again = await run(...args);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/is already this unit; unchanged/);
  });

  it("refuses to overwrite a different unit without --force, and replaces it with --force", async ({
    folder,
    writeFile,
  }) => {
    const unit = writeFile("accessgw.service", "[Service]\nExecStart=/usr/bin/true\n");
    const refused = await run("install-service", "--unit", unit, "--data", folder.data);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/exists and differs; --force replaces it/);
    expect(readFileSync(unit, "utf8")).toBe("[Service]\nExecStart=/usr/bin/true\n");

    const forced = await run("install-service", "--unit", unit, "--data", folder.data, "--force");
    expect(forced.code).toBe(0);
    expect(readFileSync(unit, "utf8")).toMatch(/^Type=notify$/m);
  });

  it("takes the data folder from the configuration's gateway.data, and refuses a --data that contradicts it", async ({
    folder,
    writeFile,
  }) => {
    const config = writeFile("gateway.yaml", `gateway: { data: ${folder.data} }\nreaders: []\n`);
    const r = await run("install-service", "--print", "--config", config);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`\nEnvironment=ACCESSGW_DATA=${folder.data}\n`);
    expect(r.out).toContain(`\nExecStart=${process.execPath} `);
    expect(r.out).toContain(` start --config ${config}\n`);

    const clash = await run(
      "install-service",
      "--print",
      "--config",
      config,
      "--data",
      join(folder.dir, "other"),
    );
    expect(clash.code).toBe(2);
    expect(clash.err).toMatch(/gateway\.data/);
  });

  it("lets the service's user into gateway.dataGroup and makes the folder group-readable", async ({
    folder,
    writeFile,
  }) => {
    const config = writeFile(
      "gateway.yaml",
      `gateway: { data: ${folder.data}, dataGroup: frontdesk }\nreaders: []\n`,
    );
    const unit = join(folder.dir, "accessgw.service");
    const r = await run("install-service", "--config", config, "--unit", unit);
    expect(r.code).toBe(0);
    const lines = directives(readFileSync(unit, "utf8"));
    expect(lines).toContain("SupplementaryGroups=dialout frontdesk");
    expect(lines).toContain("UMask=0027");
    expect(r.out).toContain(`install -d -m 2750 -o accessgw -g frontdesk ${folder.data}`);
    expect(directives(serviceUnit(OPTIONS))).toContain("SupplementaryGroups=dialout");
  });

  it("refuses a configuration with problems, a path systemd would misread, and a bad user name (exit 2)", async ({
    folder,
    writeFile,
  }) => {
    const bad = writeFile("bad.yaml", "readers: [{ id: x }]\n");
    expect((await run("install-service", "--print", "--config", bad)).code).toBe(2);
    const spaced = await run("install-service", "--print", "--data", join(folder.dir, "my data"));
    expect(spaced.code).toBe(2);
    expect(spaced.err).toMatch(/cannot hold spaces/);
    expect((await run("install-service", "--print", "--user", "Root Admin")).code).toBe(2);
  });

  it("says to run it as root when the unit folder cannot be written", async ({ folder }) => {
    // Root writes anywhere: a missing folder fails for everyone.
    const r = await run("install-service", "--unit", join(folder.dir, "missing", "accessgw.service"));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot write .*accessgw\.service: ENOENT/);
  });
});
