/**
 * Install without a checkout (issue 10 §1): `npm pack` on a clean copy of the checkout builds and
 * packs, `npm install -g` puts the tarball into a temporary prefix with the README's command, and
 * the installed `accessgw` answers --version, checks the demo configuration and runs a short start.
 * The install is real: npm resolves the dependencies and runs the native ones' install scripts.
 * better-sqlite3's script (prebuild-install) takes a prebuilt binary when it finds one, as it does
 * from the project's releases on a box with internet; this machine cannot download one, so the test
 * hands it, as a local prebuild, the binary this checkout's own install compiled for this Node —
 * the same artifact for the same version and ABI — and the install takes seconds, not the 3–4
 * minutes of compiling SQLite again (that path is the one `npm ci` ran for this checkout).
 */
import { execFileSync, spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, vi } from "vitest";
import { it } from "../harness/index.js";
import { ROOT } from "./accessgw.js";

/** The README's install command, flags and all (docs and test share these words). */
const ALLOW_SCRIPTS = "--allow-scripts=better-sqlite3,@serialport/bindings-cpp,unix-dgram";

/** The environment npm runs in: the machine's cache first, the registry only for what it lacks. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_prefer_offline: "true", JOBS: "max" };
  // Whatever an outer npm run set (a prefix, a global flag) must not leak into these commands.
  for (const key of Object.keys(env))
    if (key.startsWith("npm_") && key !== "npm_config_prefer_offline") delete env[key];
  delete env.ACCESSGW_DATA;
  return env;
}

/**
 * better-sqlite3's binary from this checkout, packed as the prebuilt tarball prebuild-install looks
 * for (`<name>-v<version>-node-v<abi>-<platform>-<arch>.tar.gz` holding build/Release/*.node) in the
 * folder its `npm_config_better_sqlite3_local_prebuilds` names; returns that folder.
 */
function localPrebuild(into: string): string {
  const pkg = join(ROOT, "node_modules", "better-sqlite3");
  const { version } = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")) as { version: string };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  mkdirSync(into, { recursive: true });
  execFileSync("tar", ["czf", join(into, name), "-C", pkg, "build/Release/better_sqlite3.node"]);
  return into;
}

/** A clean checkout: the tracked and new files of this one, without dist/, sharing its node_modules. */
function cleanCheckout(into: string): void {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\0")
    .filter((f) => f !== "" && existsSync(join(ROOT, f)));
  for (const file of files) {
    mkdirSync(dirname(join(into, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(into, file));
  }
  // The build needs the dev dependencies (typescript); the package itself will not carry them.
  symlinkSync(join(ROOT, "node_modules"), join(into, "node_modules"));
}

/** Runs an installed command to its end. */
function runInstalled(bin: string, args: string[], env: NodeJS.ProcessEnv) {
  return execFileSync(bin, args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

describe("npm pack, then npm install -g of the tarball", () => {
  it("installs a working accessgw and accessgw-sim with built JavaScript only, no dev dependencies", async ({
    folder,
    defer,
  }) => {
    const checkout = join(folder.dir, "checkout");
    const prefix = join(folder.dir, "prefix");
    const packs = join(folder.dir, "packs");
    mkdirSync(checkout);
    mkdirSync(join(prefix, "lib"), { recursive: true });
    mkdirSync(packs);
    cleanCheckout(checkout);
    const env: NodeJS.ProcessEnv = {
      ...npmEnv(),
      npm_config_better_sqlite3_local_prebuilds: localPrebuild(join(folder.dir, "prebuilds")),
    };

    // npm pack on a checkout without dist/ builds first (prepack cleans, prepare builds).
    execFileSync("npm", ["pack", "--pack-destination", packs], { cwd: checkout, env, stdio: "pipe" });
    const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string })
      .version;
    const tarball = join(packs, `accessgw-${version}.tgz`);
    const listing = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).split("\n");
    expect(listing).toContain("package/dist/gateway/cli.js");
    expect(listing).toContain("package/config/demo/gateway.yaml");
    expect(listing).toContain("package/bin/accessgw-sim.js");
    // tsc does not copy the consoles' style sheet and scripts: the build does.
    expect(listing).toContain("package/dist/web/assets/console.css");
    expect(
      listing.filter((f) => /\.ts$|\.map$|^package\/(test|bench|dist\/bench|gateway|drivers)\//.test(f)),
    ).toEqual([]);

    // The README's command, into a temporary prefix.
    const started = Date.now();
    execFileSync("npm", ["install", "-g", "--prefix", prefix, ALLOW_SCRIPTS, tarball], {
      cwd: folder.dir,
      env,
      stdio: "pipe",
    });
    console.info(`npm install -g of the tarball took ${Math.round((Date.now() - started) / 1000)} s`);
    const installed = join(prefix, "lib", "node_modules", "accessgw");
    const deps = readdirSync(join(installed, "node_modules"));
    for (const dev of ["typescript", "vitest", "@biomejs", "fast-check"]) expect(deps).not.toContain(dev);

    const accessgw = join(prefix, "bin", "accessgw");
    const runEnv = { ...env, PATH: `${join(prefix, "bin")}:${env.PATH}`, ACCESSGW_GATEWAY_ID: "gw-install" };
    expect(runInstalled(accessgw, ["--version"], runEnv).trim()).toBe(version);
    expect(runInstalled(join(prefix, "bin", "accessgw-sim"), ["--help"], runEnv)).toMatch(/usage/i);

    // The unit starts the installed bin with this node (install-service).
    const unit = runInstalled(
      accessgw,
      ["install-service", "--print", "--data", join(folder.dir, "data")],
      runEnv,
    );
    expect(unit).toContain(
      `\nExecStart=${process.execPath} ${realpathSync(join(installed, "bin", "accessgw.js"))} start --config `,
    );

    // The demo configuration shipped in the package, checked against its site.
    const demo = join(installed, "config", "demo");
    const data = join(folder.dir, "data");
    runInstalled(
      accessgw,
      ["import", join(demo, "site.yaml"), join(demo, "members.yaml"), "--data", data],
      runEnv,
    );
    expect(
      runInstalled(accessgw, ["check", "--config", join(demo, "gateway.yaml"), "--data", data], runEnv),
    ).toMatch(/no problems found/);

    // A short start: it runs (its devices are not there, so it retries them), then SIGTERM stops it cleanly.
    const daemon = spawn(accessgw, ["start", "--config", join(demo, "gateway.yaml"), "--data", data], {
      env: runEnv,
      stdio: ["ignore", "ignore", "pipe"],
    });
    defer(() => {
      if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill("SIGKILL");
    });
    let stderr = "";
    daemon.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => daemon.on("close", (code) => resolve(code)));
    await vi.waitFor(() => expect(stderr).toMatch(/"gateway started"/), { timeout: 30_000, interval: 50 });
    daemon.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/"gateway stopped"/);
  }, 900_000);
});
