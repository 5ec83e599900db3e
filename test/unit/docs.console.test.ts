/** docs/console.md against the code: its pages table is the console's navigation, its CSV columns the download's. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { RECENT_DECISIONS } from "../../gateway/console/decisionFeed.js";
import { EVENT_COLUMNS } from "../../gateway/console/eventColumns.js";
import { CSV_MAX_EVENTS, PAGE_EVENTS } from "../../gateway/console/eventsPage.js";
import { MEMBER_EVENTS } from "../../gateway/console/memberPage.js";
import { CONSOLE_NAV } from "../../gateway/console/viewParts.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const page = readFileSync(`${ROOT}docs/console.md`, "utf8");

describe("docs/console.md", () => {
  it("lists every page of the navigation with its path and role, and no other", () => {
    const rows = [...page.matchAll(/^\| (\w[\w ]*?) +\| `(\/console\/\w+)` +\| (\w+) +\|/gm)].map((m) => ({
      label: m[1],
      href: m[2],
      role: m[3],
    }));
    expect(rows).toEqual(CONSOLE_NAV.map((n) => ({ label: n.label, href: n.href, role: n.role })));
  });

  it("names the CSV's columns in order, and the counts the pages use", () => {
    const columns = /^`(seq, [^`]+)`$/m.exec(page.replace(/,\n/g, ", "))?.[1];
    expect(columns?.split(", ")).toEqual([...EVENT_COLUMNS]);
    expect(page).toContain(`The newest ${RECENT_DECISIONS} decisions`);
    expect(page).toContain(`lists the newest ${PAGE_EVENTS} matches`);
    expect(page).toContain(`(up to ${CSV_MAX_EVENTS};`);
    expect(page).toContain(`their\n${MEMBER_EVENTS} newest events`);
  });
});
