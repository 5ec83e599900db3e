/**
 * The write work of a snapshot without its commits, its broker or its scans: the benchmark's
 * members parsed as the sync client parses a part, then written into an empty cache (and again
 * into the full one, as a resent snapshot is) by the sync path's writer, with `synchronous = OFF`
 * so no fsync is timed. Says what a member costs the event loop, the figure a chunk's 4 ms budget
 * divides by (syncMembers.ts).
 *
 *   node dist/bench/writeCost.js --members 20k
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadDataFiles } from "../config/dataFile.js";
import type { Member } from "../config/members.js";
import { parseSyncPayload } from "../config/protocol/payloads.js";
import { Store } from "../gateway/store/db.js";
import { importFiles } from "../gateway/store/importer.js";
import { applyMembers, checkMembers } from "../gateway/store/syncMembers.js";
import { generateMember, newStats } from "./generate.js";
import { SITE } from "./site.js";

const { values: opt } = parseArgs({
  options: {
    members: { type: "string", default: "20000" },
    part: { type: "string", default: "500" },
    seed: { type: "string", default: "20261207" },
  },
});
const n = Number(String(opt.members).replace(/k$/i, "000"));
const size = Number(opt.part);
const seed = Number(opt.seed);

/** The benchmark's members in parts, each parsed as the sync client parses a part. */
function parts(): Member[][] {
  const stats = newStats();
  const out: Member[][] = [];
  for (let start = 0; start < n; start += size) {
    const members = [];
    for (let i = start; i < Math.min(n, start + size); i++) members.push(generateMember(seed, i, stats));
    const bytes = Buffer.from(
      JSON.stringify({
        fromRev: 0,
        toRev: 1,
        snapshot: true,
        part: 1,
        parts: 1,
        members,
        deletedMembers: [],
      }),
    );
    const parsed = parseSyncPayload("sync", "bench", bytes, 1 << 28);
    if (!parsed.ok) throw new Error(parsed.problem);
    out.push(parsed.value.members);
  }
  return out;
}

/** Microseconds per member of the reference checks alone (applyMembers runs them before writing). */
function checkAll(store: Store, all: Member[][]): number {
  const started = performance.now();
  for (const members of all) checkMembers(store, members);
  return ((performance.now() - started) * 1000) / n;
}

/** Microseconds per member to check and write every part, one transaction per part. */
function writeAll(store: Store, all: Member[][]): number {
  const started = performance.now();
  for (const members of all) {
    const out = applyMembers(store, members, [], { origin: "central" });
    if (!out.applied) throw new Error(out.problems.slice(0, 3).join("; "));
  }
  return ((performance.now() - started) * 1000) / n;
}

const dir = mkdtempSync(join(tmpdir(), "accessgw-writecost-"));
try {
  const store = Store.open(dir, { synchronous: "OFF" });
  importFiles(store, loadDataFiles([{ name: "bench-site.yaml", value: SITE }], null));
  const all = parts();
  const check = checkAll(store, all);
  const fresh = writeAll(store, all);
  const again = writeAll(store, all);
  store.close();
  process.stdout.write(
    `${JSON.stringify({ members: n, part: size, usCheck: check, usCheckWriteNew: fresh, usCheckWriteAgain: again })}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
