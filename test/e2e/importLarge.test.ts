import { closeSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { it } from "../harness/index.js";
import { exampleText } from "../helpers/examples.js";
import { accessgw } from "./accessgw.js";

/** The heap the import runs in: without streaming, a 12 MB members file needs about ten times this. */
const HEAP_MB = 128;
const FILE_MB = 12;
/** Reports the process's peak resident memory on stderr as it exits. */
const PEAK_RSS = `data:text/javascript,process.on("exit",()=>process.stderr.write("peakRssKb="+process.resourceUsage().maxRSS+"\\n"))`;

/** Writes a members file of about `mb` MB for the example site; returns how many members it holds. */
function writeMembers(path: string, mb: number): number {
  const fd = openSync(path, "w");
  try {
    writeSync(fd, "members:\n");
    let size = 0;
    let i = 0;
    for (; size < mb * 1_000_000; i++) {
      const ledger = [0, 1, 2]
        .map((k) => `          - { id: "c:${i}:${k}", amount: 1, at: "2027-03-02T10:00:00Z", area: pool }\n`)
        .join("");
      const text = `  - id: m-${i}\n    name: Member ${i}\n    cards: [{ number: "${5_000_000 + i}" }]\n    multipacks:\n      - id: mp-${i}\n        product: swim10\n        purchasedAt: "2027-03-01T18:00:00+01:00"\n        ledger:\n${ledger}`;
      size += writeSync(fd, text);
    }
    return i;
  } finally {
    closeSync(fd);
  }
}

describe("a large YAML import", () => {
  it(`of ${FILE_MB} MB runs in a ${HEAP_MB} MB heap: members are read one at a time, not the document whole`, async ({
    folder: { dir, data },
  }) => {
    const site = join(dir, "site.yaml");
    writeFileSync(site, exampleText("site.yaml"));
    const members = join(dir, "members.yaml");
    const count = writeMembers(members, FILE_MB);
    const r = await accessgw(["import", site, members, "--data", data], {
      nodeArgs: [`--max-old-space-size=${HEAP_MB}`, "--import", PEAK_RSS],
    });
    expect(r.stderr).not.toMatch(/heap out of memory/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${count} members, ${count} multipacks, ${3 * count} ledger entries added`);
    const peakKb = Number(/peakRssKb=(\d+)/.exec(r.stderr)?.[1]);
    expect(peakKb).toBeLessThan(350_000);
  }, 180_000);
});
