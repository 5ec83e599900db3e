/**
 * The rule of a gateway id, wherever the id comes from: it is one MQTT topic level of sync.md
 * (`P/gateways/G/…`: a `/` would add a level, `+` and `#` are wildcards) and the prefix of every
 * event id (`G:seq`).
 */
import { AccessGwError } from "./errors.js";
import { Id } from "./site.js";

/** A gateway id: the rule of ids (letters, digits and . _ : @ -, starting with a letter or digit). */
export const GatewayId = Id.describe(
  "this gateway's id: a topic level of sync and the prefix of event ids (letters, digits and . _ : @ -)",
);

/** Why `id` is not a gateway id, or undefined. */
export function gatewayIdProblem(id: string): string | undefined {
  const result = GatewayId.safeParse(id);
  return result.success ? undefined : (result.error.issues[0]?.message ?? "not a gateway id");
}

/**
 * cli.md: the config's `gateway.id` (checked by its schema), else $ACCESSGW_GATEWAY_ID, else the host
 * name; the last two are checked by the same rule. Throws CONFIG_INVALID (exit 2) naming the source.
 */
export function resolveGatewayId(
  configured: string | undefined,
  fromEnv: string | undefined,
  host: string,
): string {
  if (configured !== undefined) return configured;
  if (fromEnv !== undefined && fromEnv !== "") {
    const problem = gatewayIdProblem(fromEnv);
    if (problem === undefined) return fromEnv;
    throw new AccessGwError(
      "CONFIG_INVALID",
      `ACCESSGW_GATEWAY_ID: ${JSON.stringify(fromEnv)} is not a gateway id: ${problem}`,
    );
  }
  const problem = gatewayIdProblem(host);
  if (problem === undefined) return host;
  throw new AccessGwError(
    "CONFIG_INVALID",
    `the host name ${JSON.stringify(host)} cannot be the gateway id (${problem}): set gateway.id in the configuration or ACCESSGW_GATEWAY_ID`,
  );
}
