import { describe, expect, it } from "vitest";
import { ChangeSet } from "../../gateway/store/changeSet.js";
import { LOGGED_CHANGES, logChanges } from "../../gateway/sync/changeLog.js";
import { memoryLogger } from "../helpers/logs.js";

/** A change set of `n` members added and one changed by a block. */
function changesOf(n: number): ChangeSet {
  const set = new ChangeSet();
  for (let i = 0; i < n; i++) set.add("members", [{ kind: "members", id: `m-${i}`, op: "added" }]);
  set.add("members", [
    { kind: "members", id: "m-dario", op: "added", part: "block", key: "debt from 2027-03-01" },
  ]);
  return set;
}

describe("the daemon's log of what a synced payload changed (issue 10 §7)", () => {
  it("logs one info line per change while there are few", () => {
    const log = memoryLogger();
    logChanges(log.logger, "sync: changes rev 4", changesOf(1).report(), { rev: 4 });
    expect(log.lines.map((l) => [l.level, l.msg])).toEqual([
      ["info", "sync: changes rev 4: member m-0 added"],
      ["info", "sync: changes rev 4: member m-dario: block debt from 2027-03-01 added"],
    ]);
    expect(log.lines[1]).toMatchObject({ rev: 4, change: { id: "m-dario", part: "block" } });
  });

  it(`logs one line of counts instead when a payload changed more than ${LOGGED_CHANGES} things`, () => {
    const log = memoryLogger();
    logChanges(log.logger, "sync: part 3/40", changesOf(LOGGED_CHANGES).report(), { part: 3 });
    expect(log.lines.map((l) => l.msg)).toEqual([
      `sync: part 3/40: members: ${LOGGED_CHANGES} added, 1 changed`,
    ]);
    expect(log.lines[0]).toMatchObject({
      changes: LOGGED_CHANGES + 1,
      counts: { members: { added: LOGGED_CHANGES, changed: 1 } },
    });
  });

  it("logs nothing for a payload that changed nothing", () => {
    const log = memoryLogger();
    logChanges(log.logger, "sync: changes rev 5", new ChangeSet().report(), {});
    expect(log.lines).toEqual([]);
  });
});
