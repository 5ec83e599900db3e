/**
 * issue 10 §5 through the real binary: `accessgw backup` copies the cache of a running daemon while
 * its reader keeps scanning (the copy is whole and consistent), `accessgw restore` refuses while
 * that daemon runs, and puts the copy onto a fresh data folder once it has stopped.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import { wholeEvents } from "../helpers/backupCheck.js";
import { accessgw, GATEWAY_ID } from "./accessgw.js";
import { importSite, it, stopCleanly, storedEvents } from "./daemon.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("backup and restore with `accessgw start` running", () => {
  it("backs up while scans are decided (0600, integrity ok, every event whole); restore refuses while the daemon runs (exit 1), then restores onto a fresh folder", async ({
    folder,
    startWithReader,
  }) => {
    await importSite(folder.dir, folder.data);
    const { daemon, reader } = await startWithReader();
    let scanning = true;
    let n = 0;
    const feed = (async () => {
      while (scanning) {
        reader.present(String(9_000_000 + n++));
        await sleep(30);
      }
    })();
    await vi.waitFor(() => expect(storedEvents(folder.data).length).toBeGreaterThan(5), { timeout: 10_000 });
    const to = join(folder.dir, "backup.db");
    const b = await accessgw(["backup", "--to", to, "--data", folder.data, "--json"]);
    const recordedBefore = storedEvents(folder.data).length;
    await sleep(200);
    scanning = false;
    await feed;
    expect(b.code, b.stderr).toBe(0);
    const out = JSON.parse(b.stdout) as { file: string; gatewayId: string; highestSeq: number };
    expect(out).toMatchObject({ file: to, gatewayId: GATEWAY_ID });
    expect(statSync(to).mode & 0o777).toBe(0o600);
    const rows = wholeEvents(to);
    expect(rows.length).toBe(out.highestSeq);
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThanOrEqual(recordedBefore);
    for (const r of rows) expect(JSON.parse(r.doc)).toMatchObject({ decision: "deny" });
    // The scans went on: the daemon recorded more after the copy was taken.
    expect(storedEvents(folder.data).length).toBeGreaterThan(out.highestSeq);

    const refused = await accessgw(["restore", "--from", to, "--data", folder.data]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /another accessgw daemon \(pid \d+, gateway gw-e2e\) is running .*stop it first/,
    );
    await stopCleanly(daemon);

    const fresh = join(folder.dir, "fresh");
    const restored = await accessgw(["restore", "--from", to, "--data", fresh]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/restored the backup .* into .*fresh/);
    expect(storedEvents(fresh)).toHaveLength(out.highestSeq);
    expect(statSync(join(fresh, "accessgw.db")).mode & 0o777).toBe(0o600);
  });
});
