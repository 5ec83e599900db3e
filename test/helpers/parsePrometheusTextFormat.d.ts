/** Types for parse-prometheus-text-format (the package ships none): prom2json's output shape. */
declare module "parse-prometheus-text-format" {
  /** One sample: a value, or a histogram's buckets, count and sum; with its labels. */
  export interface PromSample {
    value?: string;
    labels?: Record<string, string>;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }
  /** One metric family: its name, HELP, TYPE (upper case) and samples. */
  export interface PromFamily {
    name: string;
    help: string;
    type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
    metrics: PromSample[];
  }
  /** Parses the Prometheus text exposition format; throws on a malformed line. */
  export default function parsePrometheusTextFormat(text: string): PromFamily[];
}
