/** The simulator's OSDP PDs in sim.yaml: one PD's fields, and the checks of an osdp-bus. */
import { z } from "zod";
import { OSDP_MAX_ADDRESS, resolveKeyFile } from "../config/osdp.js";
import { PD_FAULTS } from "./devices/osdpPd.js";

/** A PD's identity in its PDID reply (and its secure channel client id). */
const PdIdentitySpec = z.strictObject({
  vendorCode: z.number().int().min(0).max(0xff_ffff).default(0x0a_cc_e5).describe("IEEE OUI, 3 bytes"),
  model: z.number().int().min(0).max(255).default(1),
  version: z.number().int().min(0).max(255).default(1),
  serialNumber: z.number().int().min(0).max(0xffff_ffff).default(1),
  firmware: z
    .strictObject({
      major: z.number().int().min(0).max(255),
      minor: z.number().int().min(0).max(255),
      build: z.number().int().min(0).max(255),
    })
    .default({ major: 1, minor: 0, build: 0 }),
});

/** One simulated OSDP PD on an osdp-bus. */
export const OsdpPdSpec = z.strictObject({
  address: z
    .number()
    .int()
    .min(0)
    .max(OSDP_MAX_ADDRESS)
    .describe(`its address on the bus, 0..${OSDP_MAX_ADDRESS}`),
  scbk: z
    .string({
      // YAML reads an unquoted key of digits alone (0101…) as a number.
      error: (iss) =>
        `expected 32 hex digits in quotes, found a ${typeof iss.input} (YAML reads a key of digits alone as a number)`,
    })
    .regex(/^[0-9a-fA-F]{32}$/, "expected 32 hex digits")
    .optional()
    .describe("its secure channel key in the file (a test key: a real site keeps keys in files)"),
  scbkFile: z
    .string()
    .min(1)
    .optional()
    .describe(
      "its key file (32 hex digits, 0600), relative to this file; missing: install mode, and KEYSET writes it",
    ),
  installMode: z
    .boolean()
    .default(false)
    .describe("also accept the handshake with SCBK-D while it has a key"),
  display: z.boolean().default(true).describe("a text display (PDCAP reader text; TEXT is NAKed without)"),
  keypad: z.boolean().default(true),
  outputs: z.number().int().min(0).max(16).default(1).describe("outputs 0..n-1 that OUT switches"),
  inputs: z.number().int().min(0).max(16).default(0).describe("contact inputs reported in PDCAP"),
  identity: PdIdentitySpec.default(PdIdentitySpec.parse({})),
  fault: z
    .enum(PD_FAULTS)
    .default("none")
    .describe("a fault from the start (the prompt switches faults too)"),
});
export type OsdpPdSpec = z.infer<typeof OsdpPdSpec>;

/** On one bus: addresses unique, and one key source per PD. */
export function osdpBusProblems(pds: readonly OsdpPdSpec[], i: number): string[] {
  const problems: string[] = [];
  const seen = new Map<number, number>();
  pds.forEach((pd, j) => {
    const first = seen.get(pd.address);
    if (first !== undefined)
      problems.push(`devices[${i}].pds[${j}].address: ${pd.address} is already used by pds[${first}]`);
    else seen.set(pd.address, j);
    if (pd.scbk !== undefined && pd.scbkFile !== undefined)
      problems.push(`devices[${i}].pds[${j}]: give scbk or scbkFile, not both`);
  });
  return problems;
}

/** PD key files relative to the sim.yaml, as the gateway's are relative to its configuration. */
export function resolvePdKeyFiles(file: string, pds: OsdpPdSpec[]): void {
  for (const pd of pds) if (pd.scbkFile !== undefined) pd.scbkFile = resolveKeyFile(file, pd.scbkFile);
}
