import { chmodSync, chownSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, vi } from "vitest";
import {
  type DaemonProcess,
  importSite,
  type SpawnOptions,
  stopCleanly,
  test,
  writeConfig,
} from "./daemon.js";

// The usual umask of a shell or a service: without care, files come out world-readable (0644).
beforeAll(() => {
  const before = process.umask(0o022);
  return () => process.umask(before);
});

/** Every entry of the data folder with its permission bits (octal) and group. */
function modes(data: string): Record<string, { mode: string; gid: number }> {
  const out: Record<string, { mode: string; gid: number }> = {};
  for (const name of [".", ...readdirSync(data)]) {
    const st = statSync(join(data, name));
    out[name] = { mode: (st.mode & 0o7777).toString(8), gid: st.gid };
  }
  return out;
}

/** Gives the data folder and everything in it to nobody (uid and gid 65534). */
function giveToNobody(data: string): void {
  chownSync(data, 65534, 65534);
  for (const name of readdirSync(data)) chownSync(join(data, name), 65534, 65534);
}

/** A group this process may give files to, other than its own when it has one. */
function otherGroup(): { name: string; gid: number } {
  const groups = readFileSync("/etc/group", "utf8")
    .split("\n")
    .map((l) => l.split(":"))
    .filter((f) => f.length >= 3)
    .map((f) => ({ name: f[0] as string, gid: Number(f[2]) }));
  const mine = process.getgid?.() ?? 0;
  const allowed = (g: { gid: number }) =>
    process.getuid?.() === 0 || (process.getgroups?.() ?? []).includes(g.gid);
  const found = groups.find((g) => g.gid !== mine && allowed(g)) ?? groups.find((g) => g.gid === mine);
  if (!found) throw new Error("no group to test with in /etc/group");
  return found;
}

const it = test
  /** Starts the daemon with one reader on the test's folder and waits until its status file is there. */
  .extend(
    "startDaemon",
    ({ folder: { data }, startWithReader }) =>
      async (extra = ""): Promise<DaemonProcess> => {
        const { daemon } = await startWithReader(undefined, extra);
        await vi.waitFor(() => expect(readdirSync(data)).toContain("status.json"), { timeout: 5000 });
        return daemon;
      },
  )
  .extend(
    "startReadOnly",
    ({ folder: { dir, data }, daemon }) =>
      (config: string) =>
        startReadOnly(daemon, dir, data, config),
  );

describe("member data is readable by its owner only (umask 022)", () => {
  it("creates the folder 0700 and the cache, its -wal and -shm, and status.json 0600", async ({
    folder: { dir, data },
    startDaemon,
  }) => {
    await importSite(dir, data);
    const daemon = await startDaemon();

    const seen = modes(data);
    expect(Object.keys(seen).sort()).toEqual(
      [
        ".",
        "accessgw.db",
        "accessgw.db-shm",
        "accessgw.db-wal",
        "control.sock",
        "status.json",
        "status.sock",
      ].sort(),
    );
    for (const [name, { mode }] of Object.entries(seen))
      expect([name, mode]).toEqual([name, name === "." ? "700" : "600"]);
    await stopCleanly(daemon);
    expect(modes(data)["status.json"]?.mode).toBe("600");
  }, 60_000);

  it("corrects a folder and files others could read at start, and logs what it changed", async ({
    folder: { dir, data },
    startDaemon,
  }) => {
    await importSite(dir, data);
    chmodSync(data, 0o755);
    for (const name of readdirSync(data)) chmodSync(join(data, name), 0o644);

    const daemon = await startDaemon();

    for (const [name, { mode }] of Object.entries(modes(data)))
      expect([name, mode]).toEqual([name, name === "." ? "700" : "600"]);
    const stderr = await stopCleanly(daemon);
    const corrected = stderr
      .split("\n")
      .filter((l) => l.includes("data folder: access corrected"))
      .map((l) => JSON.parse(l) as { path: string; mode: { from: string; to: string } });
    expect(corrected).toContainEqual(
      expect.objectContaining({ path: join(data, "accessgw.db"), mode: { from: "0644", to: "0600" } }),
    );
    expect(corrected).toContainEqual(
      expect.objectContaining({ path: data, mode: { from: "0755", to: "0700" } }),
    );
  }, 60_000);

  it("gateway.dataGroup gives the folder (2750) and its files (0640) to that group, files made later too", async ({
    folder: { dir, data },
    startDaemon,
  }) => {
    await importSite(dir, data);
    const group = otherGroup();

    const daemon = await startDaemon(`gateway:\n  dataGroup: ${group.name}\n`);

    const seen = modes(data);
    for (const [name, { mode, gid }] of Object.entries(seen))
      expect([name, mode, gid]).toEqual([
        name,
        // Asking the daemon on its socket needs write permission: the group may ask.
        name === "." ? "2750" : name.endsWith(".sock") ? "660" : "640",
        group.gid,
      ]);
    await stopCleanly(daemon);
  }, 60_000);
});

/**
 * Starts the daemon on a data folder it may read but not write: as root (CI), the folder stays
 * root's and the daemon runs as nobody; otherwise the folder and its files lose their write bits.
 * Resolves with how it ended, or "started" when it ran instead of refusing.
 */
async function startReadOnly(
  spawnDaemon: (args: string[], options?: SpawnOptions) => DaemonProcess,
  dir: string,
  data: string,
  config: string,
): Promise<"started" | { code: number; stderr: string }> {
  const asRoot = process.getuid?.() === 0;
  const files = readdirSync(data);
  chmodSync(dir, 0o755);
  chmodSync(data, asRoot ? 0o755 : 0o555);
  for (const name of files) chmodSync(join(data, name), asRoot ? 0o644 : 0o444);
  try {
    const daemon = spawnDaemon(
      ["--config", config, "--data", data],
      asRoot ? { uid: 65534, gid: 65534 } : {},
    );
    const ended = await Promise.race([
      daemon.exited,
      daemon.logged(/"gateway started"/, 20_000).then(() => "started" as const),
    ]);
    if (ended === "started") daemon.child.kill("SIGKILL");
    return ended;
  } finally {
    // Writable again, so the folder can be removed.
    chmodSync(data, 0o700);
    for (const name of files) chmodSync(join(data, name), 0o600);
  }
}

describe("a file in the data folder the daemon's user may not change", () => {
  // Needs a file of another user in the daemon's folder: the test makes one as root (as CI runs).
  it.runIf(process.getuid?.() === 0)(
    "is logged as not corrected, and the daemon runs all the same (doors first)",
    async ({ folder: { dir, data }, lineReader, daemon: spawnDaemon }) => {
      await importSite(dir, data);
      chmodSync(dir, 0o755);
      giveToNobody(data);
      writeFileSync(join(data, "notes.txt"), "root's, readable by all\n", { mode: 0o644 });
      const { server } = await lineReader();
      const config = join(dir, "gateway.yaml");
      writeConfig(config, server.target);

      const daemon = spawnDaemon(["--config", config, "--data", data], { uid: 65534, gid: 65534 });
      await daemon.logged(/"gateway started"/);

      const failed = daemon.output.stderr
        .split("\n")
        .filter((l) => l.includes("data folder: could not restrict access"))
        .map((l) => JSON.parse(l) as { level: number; path: string; error: string });
      expect(failed).toEqual([
        expect.objectContaining({ level: 50, path: join(data, "notes.txt"), error: "EPERM" }),
      ]);
      expect(modes(data)["accessgw.db"]?.mode).toBe("600");
      await stopCleanly(daemon);
    },
    60_000,
  );
});

describe("a data folder the daemon cannot write is refused at start (exit 1, saying why)", () => {
  it("after a crash, when SQLite would open the cache read-only and fail every scan", async ({
    folder: { dir, data },
    startDaemon,
    startReadOnly,
  }) => {
    await importSite(dir, data);
    const crashed = await startDaemon();
    crashed.child.kill("SIGKILL");
    await crashed.exited;
    expect(readdirSync(data)).toEqual(expect.arrayContaining(["accessgw.db-wal", "accessgw.db-shm"]));

    const run = await startReadOnly(join(dir, "gateway.yaml"));

    expect(run).toMatchObject({ code: 1 });
    const { stderr } = run as { stderr: string };
    expect(stderr).toMatch(
      /the cache in .* cannot be written \(SQLITE_READONLY: attempt to write a readonly database\): is the data folder read-only\?/,
    );
    expect(stderr).toMatch(/the data folder .* cannot be written \(EACCES/);
  }, 60_000);

  it("clean (after a clean stop)", async ({ folder: { dir, data }, startDaemon, startReadOnly }) => {
    await importSite(dir, data);
    await stopCleanly(await startDaemon());
    expect(readdirSync(data)).not.toContain("accessgw.db-wal");

    const run = await startReadOnly(join(dir, "gateway.yaml"));

    expect(run).toMatchObject({ code: 1 });
    expect((run as { stderr: string }).stderr).toMatch(/cannot open the cache in .*read/);
  }, 60_000);
});
