/** Plain HTTP(S) requests for tests of the monitoring server: status, headers and body as text. */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import parsePrometheusTextFormat, { type PromFamily } from "parse-prometheus-text-format";

/** An answer as the test reads it. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends one request (GET unless `method` says otherwise); `ca` trusts a test certificate for https. */
export function httpGet(url: string, options: { method?: string; ca?: Buffer } = {}): Promise<HttpAnswer> {
  const request = url.startsWith("https:") ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? "GET", ca: options.ca, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** A scrape parsed by a real Prometheus text-format parser, by family name. */
export function parseScrape(text: string): Map<string, PromFamily> {
  return new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
}

/** The value of the family's sample whose labels include `labels`; undefined when there is none. */
export function sampleValue(
  families: Map<string, PromFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const sample = families
    .get(name)
    ?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return sample?.value === undefined ? undefined : Number(sample.value);
}
