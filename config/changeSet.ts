/**
 * What an import or a synced config changed, by record id (issue 10 §7): the changes themselves as
 * structured records, at most MAX_LISTED_CHANGES of them kept (an import of 50,000 new members
 * lists the first ones), and per kind how many records were added, removed and changed — always
 * complete, whatever the size.
 */

/** The kinds of record a change is about, as the data files name their sections. */
export type ChangeKind = "site" | "areas" | "accessTypes" | "products" | "limits" | "cardModels" | "members";

/** One change: a record added or removed, a part of it added or removed, or a field changed. */
export interface Change {
  kind: ChangeKind;
  id: string;
  op: "added" | "removed" | "changed";
  /** The part of the record the change is about (`window`, `item`, `card`, `block`…); absent: the record. */
  part?: string;
  /** Which part: a window's days and times, an item's access type, a card's last 4 digits… */
  key?: string;
  /** The field that changed (with `from` and `to`); absent when a record or part was added or removed. */
  field?: string;
  from?: unknown;
  to?: unknown;
}

/** Records listed one by one; past this many, only counted. */
export const MAX_LISTED_CHANGES = 200;

/** Per kind: how many records were added, removed and changed. */
export type ChangeCounts = Partial<Record<ChangeKind, { added: number; removed: number; changed: number }>>;

/** What the command line prints and `--json` gives: the listed changes, the counts, how many were not listed. */
export interface ChangeReport {
  listed: Change[];
  counts: ChangeCounts;
  notListed: number;
}

/** Collects the changes of one import or one synced payload. */
export class ChangeSet {
  private readonly listed: Change[] = [];
  private readonly counts: ChangeCounts = {};
  private notListed = 0;
  private last = "";

  /**
   * Records the changes of one record (an empty list: it did not change). More changes of the record
   * just added (a multipack sync dropped after writing the member) are listed without counting it twice.
   */
  add(kind: ChangeKind, changes: Change[]): void {
    const first = changes[0];
    if (first === undefined) return;
    const record = `${kind}\u0000${first.id}`;
    if (record !== this.last) {
      const count = this.counts[kind] ?? { added: 0, removed: 0, changed: 0 };
      this.counts[kind] = count;
      count[first.part === undefined && first.field === undefined ? first.op : "changed"]++;
      this.last = record;
    }
    for (const c of changes) {
      if (this.listed.length < MAX_LISTED_CHANGES) this.listed.push(c);
      else this.notListed++;
    }
  }

  /** Adds another set's changes after these: its counts, and its list as far as this one has room. */
  append(other: ChangeSet): void {
    for (const [kind, c] of Object.entries(other.counts) as [
      ChangeKind,
      { added: number; removed: number; changed: number },
    ][]) {
      const mine = this.counts[kind] ?? { added: 0, removed: 0, changed: 0 };
      this.counts[kind] = {
        added: mine.added + c.added,
        removed: mine.removed + c.removed,
        changed: mine.changed + c.changed,
      };
    }
    for (const c of other.listed) {
      if (this.listed.length < MAX_LISTED_CHANGES) this.listed.push(c);
      else this.notListed++;
    }
    this.notListed += other.notListed;
    this.last = "";
  }

  /** True when nothing changed. */
  get empty(): boolean {
    return this.listed.length === 0;
  }

  /** The report (a copy: the set may go on collecting). */
  report(): ChangeReport {
    return { listed: [...this.listed], counts: structuredClone(this.counts), notListed: this.notListed };
  }
}

const KIND_WORDS: Record<ChangeKind, [string, string]> = {
  site: ["site", "site"],
  areas: ["area", "areas"],
  accessTypes: ["access type", "access types"],
  products: ["product", "products"],
  limits: ["limit", "limits"],
  cardModels: ["card model", "card models"],
  members: ["member", "members"],
};

/** A value as a person reads it in a change line. */
function shown(v: unknown): string {
  if (v === undefined || v === null) return "(none)";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** One change as a line: `access type pool-peak: window tue 07:00–09:00 added`. */
export function changeText(c: Change): string {
  const record = `${KIND_WORDS[c.kind][0]} ${c.id}`;
  const part = c.part === undefined ? "" : `${c.part}${c.key === undefined ? "" : ` ${c.key}`}`;
  if (c.field !== undefined) {
    const what = [part, c.field].filter((s) => s !== "").join(" ");
    return `${record}: ${what} ${shown(c.from)} → ${shown(c.to)}`;
  }
  return part === "" ? `${record} ${c.op}` : `${record}: ${part} ${c.op}`;
}

/** The counts as a line: `members: 2 added, 40 changed; access types: 1 changed`. */
export function countsText(counts: ChangeCounts): string {
  const parts: string[] = [];
  for (const [kind, n] of Object.entries(counts) as [
    ChangeKind,
    { added: number; removed: number; changed: number },
  ][]) {
    const ops = (["added", "removed", "changed"] as const)
      .filter((op) => n[op] > 0)
      .map((op) => `${n[op]} ${op}`);
    if (kind === "site") parts.push("site changed");
    else parts.push(`${KIND_WORDS[kind][1]}: ${ops.join(", ")}`);
  }
  return parts.join("; ");
}

/** The report as lines: each listed change, then how many more there were; or `nothing changed`. */
export function reportLines(r: ChangeReport): string[] {
  if (r.listed.length === 0) return ["nothing changed"];
  const lines = r.listed.map(changeText);
  if (r.notListed > 0) lines.push(`… and ${r.notListed} more changes (${countsText(r.counts)})`);
  return lines;
}
