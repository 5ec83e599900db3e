import { describe, expect, it } from "vitest";
import { AccessGwError } from "../../config/errors.js";
import { loadGatewayConfig } from "../../config/gateway.js";

/** The problems a gateway configuration is refused with (CONFIG_INVALID). */
function refusal(text: string, file = "/etc/accessgw/gateway.yaml"): AccessGwError {
  try {
    loadGatewayConfig(file, text);
  } catch (err) {
    expect(err).toBeInstanceOf(AccessGwError);
    expect((err as AccessGwError).code).toBe("CONFIG_INVALID");
    return err as AccessGwError;
  }
  throw new Error("the configuration was accepted");
}

describe("the gateway configuration", () => {
  it("applies defaults: info logging, no readers, 2 s debounce (R17)", () => {
    expect(loadGatewayConfig("/etc/gw.yaml", "")).toEqual({
      gateway: {},
      log: { level: "info" },
      readers: [],
    });
    const config = loadGatewayConfig("/etc/gw.yaml", "readers: [{ id: pool-in, area: pool, direction: in }]");
    expect(config.readers[0]?.debounceMs).toBe(2000);
  });

  it("resolves a relative data folder against the configuration file's folder", () => {
    const config = loadGatewayConfig("/etc/accessgw/gateway.yaml", "gateway: { id: gw-1, data: ./state }");
    expect(config.gateway).toEqual({ id: "gw-1", data: "/etc/accessgw/state" });
  });

  it("names file, path and field of a typo in the gateway section and a bad reader direction", () => {
    const text = "gateway: { id: gw-1, idd: 2 }\nreaders:\n  - { id: r1, area: pool, direction: sideways }\n";
    expect(refusal(text).problems).toEqual([
      '/etc/accessgw/gateway.yaml: gateway: Unrecognized key: "idd"',
      '/etc/accessgw/gateway.yaml: readers[0].direction: Invalid option: expected one of "in"|"out"',
    ]);
  });

  it("refuses a reader id given twice, naming both places", () => {
    const text =
      "readers:\n  - { id: r1, area: pool, direction: in }\n  - { id: r1, area: pool, direction: out }\n";
    expect(refusal(text).problems).toEqual([
      '/etc/accessgw/gateway.yaml: readers[1].id: duplicate reader id "r1" (first at readers[0])',
    ]);
  });

  it("names the line and column of a YAML syntax error", () => {
    expect(refusal("readers: [\n").problems[0]).toMatch(
      /^\/etc\/accessgw\/gateway\.yaml \(line \d+, column \d+\): /,
    );
  });
});
