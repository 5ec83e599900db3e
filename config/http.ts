/**
 * The `http:` section of gateway.yaml: where the daemon serves /metrics, /healthz and /readyz
 * (off unless the section is there). Bound to the loopback address unless the file says otherwise:
 * the metrics name readers, doors and counts that a facility's network need not see.
 */
import { isIP } from "node:net";
import { z } from "zod";

/** The address the server listens on when the section gives none. */
export const DEFAULT_HTTP_LISTEN = "127.0.0.1:9180";

/** A listen address: its host (an IP address or a name) and TCP port (0: any free port). */
export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * Reads `listen`: "host:port", "[v6]:port", ":port" or a bare port ("9180" or 9180, on
 * 127.0.0.1). Returns a problem in words when it is none of these.
 */
export function parseListen(listen: string | number): ListenAddress | string {
  const text = String(listen).trim();
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(text);
  const portText = m ? m[3] : /^\d+$/.test(text) ? text : undefined;
  if (portText === undefined)
    return `expected "host:port" or a port (e.g. ${DEFAULT_HTTP_LISTEN} or 9180), found "${text}"`;
  const port = Number(portText);
  if (port > 65535) return `port ${port} is out of range (0..65535)`;
  const v6 = m?.[1];
  if (v6 !== undefined && isIP(v6) !== 6) return `"[${v6}]" is not an IPv6 address`;
  const host = v6 ?? m?.[2] ?? "";
  return { host: host === "" ? "127.0.0.1" : host, port };
}

/** Whether a host only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const Listen = z
  .union([z.number(), z.string()])
  .superRefine((v, ctx) => {
    const parsed = parseListen(v);
    if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
  })
  .default(DEFAULT_HTTP_LISTEN)
  .describe(`"host:port" or a port (then on 127.0.0.1); default ${DEFAULT_HTTP_LISTEN}`);

/** The HTTP server for monitoring: its address and, for HTTPS, its certificate and key files. */
export const HttpSettings = z.strictObject({
  listen: Listen,
  /** PEM files, read at start; relative paths are relative to the configuration file. */
  tls: z
    .strictObject({
      cert: z.string().min(1).describe("PEM certificate file (chain first to last)"),
      key: z.string().min(1).describe("PEM private key file of the certificate"),
    })
    .optional(),
});
export type HttpSettings = z.infer<typeof HttpSettings>;

/** A warning for an `http.listen` that other machines can reach (the raw document, before parsing). */
export function httpWarnings(raw: unknown): string[] {
  const http = (raw as { http?: { listen?: unknown } } | null)?.http;
  const listen = http?.listen;
  if (typeof listen !== "string" && typeof listen !== "number") return [];
  const parsed = parseListen(listen);
  if (typeof parsed === "string" || isLoopback(parsed.host)) return [];
  return [
    `http.listen: ${parsed.host} is reachable from other machines: /metrics names the readers and doors and their counts; bind to 127.0.0.1 behind a proxy, or make sure a firewall keeps the port to the monitoring server`,
  ];
}
