/**
 * For the central editor's tests: scans decided and recorded by a real gateway store, their events
 * (with the ledger entries they carry) taken in by a real central store, as the central holds them
 * after sync. The site configuration is the worked example's, or a variant of its text.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CentralStore } from "../../central/centralStore.js";
import { storedEvents, storeEvents } from "../../central/eventIntake.js";
import { knownIds } from "../../central/memberDocs.js";
import { multipackOwner, publishedMembers } from "../../central/memberStore.js";
import { reconcile } from "../../central/reconcile.js";
import { loadSources } from "../../central/sourceFiles.js";
import type { Member } from "../../config/members.js";
import type { DoorMode, SyncEvent } from "../../config/protocol/events.js";
import type { SiteConfig } from "../../config/site.js";
import { scan } from "../../gateway/decisions.js";
import { parseAt } from "../../gateway/engine/index.js";
import type { Store } from "../../gateway/store/db.js";
import { pendingEvents } from "../../gateway/store/outbox.js";
import { recordRelayFailure } from "../../gateway/store/relayFailure.js";
import { importInputs, scanReq } from "../store/storeHelpers.js";
import { exampleText } from "./examples.js";

const LIMITS = { partMembers: 500, partBytes: 262_144 };
/** When the central took the events in (a stored field only; nothing here reads the clock). */
const RECEIVED_AT = Date.parse("2027-06-02T00:00:00Z");

/** A scan as steps.yaml writes one (`at` in Rome wall time without an offset). */
export interface HeldScan {
  card: string;
  area: string;
  direction?: "in" | "out";
  at: string;
  /** doors.md D3: the door's mode at the scan. */
  doorMode?: DoorMode;
  /** doors.md D5: admitted by hand at the front desk through this multipack (not a scan). */
  admitThrough?: string;
  /** The door's relay failed a second after the grant: refunded and undone. */
  relayFails?: boolean;
}

/** What the central holds once the gateway synced, and its files. */
export interface Held {
  store: CentralStore;
  siteFile: string;
  membersFile: string;
  config: SiteConfig;
  members: Member[];
  events: SyncEvent[];
  /** The recorded events of the scans, in scan order (what the gateway decided). */
  recorded: SyncEvent[];
}

/** Rome wall time (`2027-03-23T07:30`) as an instant. */
export function romeTime(at: string): number {
  const ms = parseAt(at, "Europe/Rome");
  if (ms === null) throw new Error(`bad time ${at}`);
  return ms;
}

/**
 * Imports `siteText` and the example members into the gateway store `gw`, scans there, then has a
 * central store in `dir`/data take the files and the events. The caller closes `store`.
 */
export function holdScans(gw: Store, dir: string, siteText: string, scans: HeldScan[]): Held {
  const siteFile = join(dir, "site.yaml");
  const membersFile = join(dir, "members.yaml");
  writeFileSync(siteFile, siteText);
  writeFileSync(membersFile, exampleText("members.yaml"));
  importInputs(gw, [
    { name: "site.yaml", text: siteText },
    { name: "members.yaml", text: exampleText("members.yaml") },
  ]);
  for (const s of scans) {
    const req = {
      ...scanReq(s.card, s.area, s.direction ?? "in"),
      ...(s.doorMode ? { doorMode: s.doorMode } : {}),
    };
    const staff = { operator: "desk-1", staffReason: "forgot the card at home" };
    const options = s.admitThrough === undefined ? {} : { staff, multipack: s.admitThrough };
    const event = scan(gw, req, romeTime(s.at), "gw-1", options);
    if (s.relayFails) recordRelayFailure(gw, event, romeTime(s.at) + 1000);
  }
  const recorded = pendingEvents(gw, { limit: 500 }) as SyncEvent[];
  const store = CentralStore.open(join(dir, "data"));
  const loaded = loadSources({ siteConfigFile: siteFile, membersFile }, "rome-center", (id) =>
    multipackOwner(store, id),
  );
  if (loaded.data === null) throw new Error(loaded.problems.join("\n"));
  reconcile(store, loaded.data, LIMITS);
  storeEvents(store, "gw-1", recorded, RECEIVED_AT, knownIds(loaded.data.config), LIMITS);
  const members = publishedMembers(store);
  return {
    store,
    siteFile,
    membersFile,
    config: loaded.data.config,
    members,
    events: storedEvents(store),
    recorded,
  };
}
