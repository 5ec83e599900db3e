import { join } from "node:path";
import { describe, expect } from "vitest";
import { main } from "../../gateway/cli.js";
import { it } from "../harness/index.js";
import { exampleText } from "../helpers/examples.js";

/** Runs the command line in-process; returns the exit code and what it wrote. */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, {
    out: (s) => {
      out += `${s}\n`;
    },
    err: (s) => {
      err += `${s}\n`;
    },
    env: {},
  });
  return { code, out, err };
}

describe("import refuses a file that is not UTF-8", () => {
  it("exit 2, naming the file and the byte offset, and nothing is stored", async ({
    folder: t,
    writeFile: file,
  }) => {
    const data = join(t.dir, "data");
    const site = file("site.yaml", exampleText("site.yaml"));
    // Two cards that differ only in a byte that is not UTF-8 would both become "12\uFFFD34".
    const members = file(
      "members.yaml",
      Buffer.concat([
        Buffer.from('members:\n  - { id: m-1, cards: [{ number: "12'),
        Buffer.from([0xff]),
        Buffer.from('34" }] }\n  - { id: m-2, cards: [{ number: "12'),
        Buffer.from([0xfe]),
        Buffer.from('34" }] }\n'),
      ]),
    );
    const r = await run("import", site, members, "--data", data);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${members}: not UTF-8 text: byte 0xFF at byte offset 45 (line 2)`);
    const balance = await run("balance", "--member", "m-1", "--data", data);
    expect(balance.code).not.toBe(0);
    expect(balance.err).toMatch(/no site|unknown member/);
  });
});

describe("check --config", () => {
  it.for([
    ["an empty file", ""],
    ["a file of comments only", "# gateway for the pool\n\n"],
  ] as const)(
    "refuses %s (exit 2), saying it is empty",
    async ([_what, text], { folder: t, writeFile: file }) => {
      const config = file("gateway.yaml", text);
      const r = await run("check", "--config", config, "--data", join(t.dir, "data"));
      expect(r.code).toBe(2);
      expect(r.err).toContain(
        `${config}: empty file: a gateway configuration declares at least its readers, doors and relays`,
      );
    },
  );

  it("refuses a configuration that is not UTF-8 (exit 2), naming the byte offset", async ({
    folder: t,
    writeFile: file,
  }) => {
    const config = file(
      "gateway.yaml",
      Buffer.concat([Buffer.from("gateway: { id: gw-"), Buffer.from([0xe9]), Buffer.from(" }\n")]),
    );
    const r = await run("check", "--config", config, "--data", join(t.dir, "data"));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${config}: not UTF-8 text: byte 0xE9 at byte offset 18 (line 1)`);
  });

  it("suggests the key meant by a key in the wrong case or with a typo", async ({
    folder: t,
    writeFile: file,
  }) => {
    const config = file(
      "gateway.yaml",
      [
        "readers:",
        "  - { id: r1, area: pool, direction: in, driver: rdm6300, port: /dev/ttyS0, baudrate: 9600 }",
        "  - { id: r2, area: pool, direction: in, driver: serial-line, port: /dev/ttyS1, baudRte: 9600, Format: hex }",
        "",
      ].join("\n"),
    );
    const r = await run("check", "--config", config, "--data", join(t.dir, "data"));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${config}: readers[0]: unknown field "baudrate" (did you mean "baudRate"?)`);
    expect(r.err).toContain(
      `${config}: readers[1]: unknown fields "baudRte" (did you mean "baudRate"?), "Format" (did you mean "format"?)`,
    );
  });
});
