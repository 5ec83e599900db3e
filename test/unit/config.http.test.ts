/** The `http:` section of gateway.yaml: off unless there, loopback by default, a warning when reachable from outside. */
import { describe, expect, it } from "vitest";
import { checkGatewayConfig } from "../../config/gateway.js";
import { DEFAULT_HTTP_LISTEN, parseListen } from "../../config/http.js";

const READER = `readers:
  - { id: pool-in, driver: serial-line, port: tcp://127.0.0.1:1, area: pool, direction: in }
`;
const check = (http: string) => checkGatewayConfig("/etc/accessgw/gateway.yaml", `${READER}${http}`);

describe("http.listen", () => {
  it.each([
    ["127.0.0.1:9180", { host: "127.0.0.1", port: 9180 }],
    ["9180", { host: "127.0.0.1", port: 9180 }],
    [9180, { host: "127.0.0.1", port: 9180 }],
    [":9180", { host: "127.0.0.1", port: 9180 }],
    ["0.0.0.0:9100", { host: "0.0.0.0", port: 9100 }],
    ["[::1]:9180", { host: "::1", port: 9180 }],
    ["monitor.local:80", { host: "monitor.local", port: 80 }],
  ])("reads %j as %j (a bare port listens on the loopback address)", (listen, address) => {
    expect(parseListen(listen)).toEqual(address);
  });

  it.each([
    ["metrics", 'expected "host:port" or a port'],
    ["127.0.0.1:99999", "port 99999 is out of range"],
    ["[pool]:9180", '"[pool]" is not an IPv6 address'],
    ["::1:9180", 'expected "host:port"'],
  ])("refuses %j, saying why", (listen, why) => {
    const { config, problems } = check(`http: { listen: "${listen}" }\n`);
    expect(config).toBeNull();
    expect(problems.join("\n")).toContain(`http.listen: ${parseListen(listen)}`);
    expect(problems.join("\n")).toContain(why);
  });

  it("is off without an http: section, and on 127.0.0.1:9180 with an empty one", () => {
    expect(check("").config?.http).toBeUndefined();
    expect(check("http: {}\n").config?.http).toEqual({ listen: DEFAULT_HTTP_LISTEN });
    expect(DEFAULT_HTTP_LISTEN).toBe("127.0.0.1:9180");
  });

  it("warns (and still accepts) an address other machines can reach; the loopback gets no warning", () => {
    const open = check('http: { listen: "0.0.0.0:9180" }\n');
    expect(open.config?.http?.listen).toBe("0.0.0.0:9180");
    expect(open.warnings).toEqual([
      expect.stringContaining("http.listen: 0.0.0.0 is reachable from other machines"),
    ]);
    expect(check('http: { listen: "127.0.0.1:9180" }\n').warnings).toEqual([]);
    expect(check('http: { listen: "localhost:9180" }\n').warnings).toEqual([]);
    expect(check("http: { listen: 9180 }\n").warnings).toEqual([]);
  });

  it("finds the TLS files next to the configuration file when their paths are relative", () => {
    const { config } = check("http: { tls: { cert: tls/gw.crt, key: /secure/gw.key } }\n");
    expect(config?.http?.tls).toEqual({ cert: "/etc/accessgw/tls/gw.crt", key: "/secure/gw.key" });
  });
});
