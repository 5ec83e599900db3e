/**
 * Issue 13 §2 keyset, the cases the simulator cannot stage: a PD that takes KEYSET and is never
 * heard from again (the key is kept as `.unconfirmed`, the key file left alone), and a key file
 * others can read (refused before anything is sent). Scripted PDs on a socat pty, real serialport.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { readKeyFile } from "../../drivers/osdp/keyFile.js";
import { type KeysetOptions, setNewKey } from "../../drivers/osdp/keyset.js";
import { openTransport } from "../../drivers/transport/transport.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { it } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";
import { requireSocat } from "../helpers/socat.js";
import { FakeLine, FakePd, serveLine } from "./fakePds.js";

const OLD = "000102030405060708090a0b0c0d0e0f";

describe("setNewKey (issue 13 §2 keyset)", () => {
  it("keeps the key sent as .unconfirmed and the key file as it was when the PD goes silent after KEYSET", async ({
    defer,
    folder,
    ptyPair,
  }) => {
    requireSocat();
    const links = { a: join(folder.dir, "pd"), b: join(folder.dir, "cp") };
    const pd = new FakePd({ address: 3, secure: { scbk: Buffer.from(OLD, "hex"), installMode: false } });
    // The PD takes the key and its ACK is lost: from then on it is silent (unplugged at that moment).
    const answer = pd.answer.bind(pd);
    pd.answer = (packet, bytes) => {
      const result = answer(packet, bytes);
      if (result.written.kind !== "keyset") return result;
      pd.silent = true;
      return { written: result.written, reply: null };
    };
    const pair = await ptyPair(links);
    const end = await openTransport(pair.a, { baudRate: 9600 });
    defer(() => end.close());
    serveLine(new FakeLine([pd]), end);
    const keyFile = join(folder.dir, "keys", "door.scbk");
    mkdirSync(join(folder.dir, "keys"), { mode: 0o700 });
    writeFileSync(keyFile, `${OLD}\n`, { mode: 0o600 });

    const options: KeysetOptions = {
      target: links.b,
      baudRate: 9600,
      address: 3,
      scbkFile: keyFile,
      factory: openTransport,
      logger: silentLogger(),
      scheduler: realScheduler,
      now: Date.now,
      random: (n) => new Uint8Array(n).fill(9),
      timings: { offlineAfterMs: 600, offlineRetryMs: 300 },
    };
    const failure = await setNewKey(options).catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: "KEYSET_UNCONFIRMED" });
    expect((failure as Error).message).toContain(`${keyFile} is unchanged`);
    expect(readFileSync(keyFile, "utf8")).toBe(`${OLD}\n`);
    const aside = `${keyFile}.unconfirmed`;
    expect(readdirSync(join(folder.dir, "keys")).sort()).toEqual(["door.scbk", "door.scbk.unconfirmed"]);
    // What the PD now holds is what was kept aside, 0600, so the technician can put it in place.
    expect(readKeyFile(aside)).toEqual(pd.scbk);
  });

  it("refuses a key file that others can read before anything is sent", async ({ folder }) => {
    const keyFile = join(folder.dir, "door.scbk");
    writeFileSync(keyFile, `${OLD}\n`);
    chmodSync(keyFile, 0o644);
    const opened: string[] = [];
    const failure = await setNewKey({
      target: "/dev/ttyUSB9",
      baudRate: 9600,
      address: 3,
      scbkFile: keyFile,
      factory: async (target) => {
        opened.push(target);
        throw new Error("no port in this test");
      },
      logger: silentLogger(),
      scheduler: realScheduler,
      now: Date.now,
      random: (n) => new Uint8Array(n),
    }).catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: "KEY_FILE_EXPOSED" });
    expect(opened).toEqual([]);
    expect(readFileSync(keyFile, "utf8")).toBe(`${OLD}\n`);
  });
});
