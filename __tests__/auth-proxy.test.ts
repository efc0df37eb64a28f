import { Testing, TerraformStack } from "cdktf";
import { renderAuthProxyConfig } from "../lib/registry/auth-proxy-config";
import { htpasswdScript } from "../lib/registry/htpasswd";
import { RegistryServer } from "../lib/registry/registry-server";

const base = {
  listenPort: 5000,
  upstream: "127.0.0.1:5080",
  realm: "registry.example",
  usersDir: "/auth",
};

describe("auth proxy config", () => {
  it("has no maintenance switch unless a flag file is given", () => {
    expect(renderAuthProxyConfig(base)).not.toContain("if (");
    const withFlag = renderAuthProxyConfig({ ...base, readOnlyFlags: ["/data/ro", "/data/ro2"] });
    expect(withFlag).toContain("if (-f /data/ro2) {");
    expect(withFlag).toContain("if (-f /data/ro) {");
    // The switch sits at server level, before any location.
    expect(withFlag.indexOf("if (-f /data/ro)")).toBeLessThan(withFlag.indexOf("location /v2/"));
  });

  it("bounds nginx's workers instead of counting the node's CPUs", () => {
    expect(renderAuthProxyConfig(base)).toMatch(/^worker_processes 2;/);
    expect(renderAuthProxyConfig({ ...base, workerProcesses: 4 })).toMatch(/^worker_processes 4;/);
  });
});

describe("htpasswd script", () => {
  it("hashes each user once and fails instead of writing an empty entry", () => {
    const script = htpasswdScript([
      { key: "push", canWrite: true },
      { key: "pull", canWrite: false },
    ]);
    expect(script.match(/htpasswd -n -B/g)).toHaveLength(2);
    expect(script).not.toContain("|");
    expect(script.split("\n").slice(0, 2)).toEqual(["set -eu", "umask 077"]);
  });

  it("writes an empty write file when nobody may write", () => {
    const script = htpasswdScript([{ key: "pull", canWrite: false }]);
    expect(script).toContain(": > /auth/write.htpasswd");
    expect(script).toContain("sed '/^$/d' /auth/pull.entry > /auth/read.htpasswd");
  });
});

describe("RegistryServer", () => {
  it("refuses a writer that is not one of its users", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    expect(
      () =>
        new RegistryServer(stack, "registry", {
          namespace: "registry",
          image: "registry:3.1.1",
          htpasswdImage: "httpd:2.4.65-alpine",
          authProxyImage: "nginx:1.28.0",
          fqdn: "registry.example",
          tls: { certificatePem: "cert", privateKeyPem: "key" },
          users: { pull: { username: "puller", password: "secret" } },
          writers: ["push"],
          httpSecret: "http-secret",
          storage: { type: "emptyDir" },
          exposure: { type: "clusterIP" },
          resources: {
            requests: { cpu: "100m", memory: "128Mi" },
            limits: { cpu: "1", memory: "512Mi" },
          },
        }),
    ).toThrow('RegistryServer registry: writer "push" is not one of the users');
  });
});
