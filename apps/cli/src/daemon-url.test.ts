import { describe, expect, it } from "vitest";
import { bindAddressForUrl, locateDaemon, urlForBindAddress } from "./daemon-url.ts";

describe("locateDaemon", () => {
  const cwd = "/nonexistent";

  it("prefers --daemon-url, then CCA_DAEMON_URL, then the config's bind address", () => {
    const env = { CCA_HOME: "/nonexistent/home", CCA__DAEMON__BIND_ADDRESS: "0.0.0.0:9400" };

    expect(locateDaemon({ flag: "http://h:1/", env: { ...env, CCA_DAEMON_URL: "http://e:2" }, cwd })).toEqual(
      {
        url: "http://h:1",
        explicit: true,
      },
    );
    expect(locateDaemon({ env: { ...env, CCA_DAEMON_URL: "http://e:2/" }, cwd })).toEqual({
      url: "http://e:2",
      explicit: true,
    });
    expect(locateDaemon({ env, cwd })).toEqual({ url: "http://127.0.0.1:9400", explicit: false });
  });
});

describe("bind addresses and URLs", () => {
  it("reaches wildcard bind addresses over loopback", () => {
    expect(urlForBindAddress("127.0.0.1:9200")).toBe("http://127.0.0.1:9200");
    expect(urlForBindAddress("0.0.0.0:9200")).toBe("http://127.0.0.1:9200");
    expect(urlForBindAddress("[::]:9200")).toBe("http://[::1]:9200");
  });

  it("turns a URL into the address a daemon must bind", () => {
    expect(bindAddressForUrl("http://127.0.0.1:9311")).toBe("127.0.0.1:9311");
    expect(bindAddressForUrl("http://[::1]:9311/")).toBe("[::1]:9311");
    expect(bindAddressForUrl("http://localhost")).toBe("localhost:80");
  });
});
