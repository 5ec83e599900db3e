import { describe, expect, it } from "vitest";
import { AccessGwError } from "../../config/errors.js";
import { loadGatewayConfig } from "../../config/gateway.js";
import { resolveGatewayId } from "../../config/gatewayId.js";

/** The error resolveGatewayId refuses with. */
function refusal(configured: string | undefined, env: string | undefined, host: string): AccessGwError {
  try {
    resolveGatewayId(configured, env, host);
  } catch (err) {
    expect(err).toBeInstanceOf(AccessGwError);
    return err as AccessGwError;
  }
  throw new Error("the id was accepted");
}

describe("the gateway id from $ACCESSGW_GATEWAY_ID", () => {
  it.each(["a/b", "+", "#", "gw 1", "-gw", "x".repeat(129)])(
    "refuses %j by the rule of gateway.id (exit 2), naming the variable",
    (id) => {
      const err = refusal(undefined, id, "host-1");
      expect(err.code).toBe("CONFIG_INVALID");
      expect(err.exitCode).toBe(2);
      expect(err.message.startsWith(`ACCESSGW_GATEWAY_ID: ${JSON.stringify(id)} is not a gateway id: `)).toBe(
        true,
      );
    },
  );

  it("is what gateway.id would accept, with the same message", () => {
    expect(resolveGatewayId(undefined, "gw-2.pool@rome:1", "host-1")).toBe("gw-2.pool@rome:1");
    expect(() => loadGatewayConfig("gateway.yaml", "gateway: { id: a/b }\n")).toThrow(
      "gateway.yaml: gateway.id: expected an id of letters, digits and . _ : @ -",
    );
    expect(refusal(undefined, "a/b", "host-1").message).toBe(
      'ACCESSGW_GATEWAY_ID: "a/b" is not a gateway id: expected an id of letters, digits and . _ : @ -',
    );
  });

  it("comes after gateway.id: a bad variable the config overrides is not used, so not refused", () => {
    expect(resolveGatewayId("gw-config", "a/b", "host-1")).toBe("gw-config");
  });

  it("is unset when empty, leaving the host name", () => {
    expect(resolveGatewayId(undefined, "", "host-1")).toBe("host-1");
    expect(resolveGatewayId(undefined, undefined, "host-1")).toBe("host-1");
  });
});

describe("the host name as the gateway id", () => {
  it("is refused when the rule does not allow it, saying what to set instead", () => {
    expect(refusal(undefined, undefined, "pool gate").message).toBe(
      'the host name "pool gate" cannot be the gateway id (expected an id of letters, digits and . _ : @ -): set gateway.id in the configuration or ACCESSGW_GATEWAY_ID',
    );
  });
});
