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
    expect(renderAuthProxyConfig(base)).not.toContain("if (-f");
    expect(renderAuthProxyConfig(base)).not.toContain("$registry_maintenance_write");
    const withFlag = renderAuthProxyConfig({ ...base, readOnlyFlags: ["/data/ro", "/data/ro2"] });
    // One `if` per flag (garbage collection and backup), each marking the request's writes.
    for (const flag of ["/data/ro", "/data/ro2"]) {
      expect(withFlag).toContain(
        `    if (-f ${flag}) {\n      set $registry_maintenance_write $registry_write_method;\n    }`,
      );
    }
    expect(withFlag).toContain(
      '    if ($registry_maintenance_write = "1") {\n      return 503 \'{"errors":[{"code":"UNAVAILABLE"',
    );
    expect(withFlag).toMatch(
      /map \$request_method \$registry_write_method \{\n {4}POST 1;\n {4}PUT 1;\n {4}PATCH 1;\n {4}default 0;/,
    );
    // The switch sits at server level, before any location.
    expect(withFlag.indexOf("if (-f /data/ro)")).toBeLessThan(withFlag.indexOf("location /v2/"));
  });

  it("authenticates every user, then lets readers read and writers write, nobody delete", () => {
    const config = renderAuthProxyConfig({ ...base, writers: ["pusher"] });
    expect(config).toContain("      auth_basic_user_file /auth/users.htpasswd;");
    expect(config).toContain(
      '  map "$registry_method_class:$remote_user" $registry_denied {\n    "write:pusher" 0;\n    "~^read:" 0;\n    default 1;\n  }',
    );
    expect(config).toMatch(
      / {4}GET read;\n {4}HEAD read;\n {4}POST write;\n {4}PUT write;\n {4}PATCH write;\n {4}default other;/,
    );
    // A refused request authenticates again before its 403: a wrong password stays 401.
    const denied = config.slice(config.indexOf("location = /__registry_denied__"));
    expect(denied.indexOf("auth_basic_user_file")).toBeLessThan(denied.indexOf("try_files"));
    expect(denied).toContain("try_files /nonexistent =403;");
    expect(config).toContain(`return 403 '{"errors":[{"code":"DENIED"`);
    // A read-only registry (the cache) lets nobody write.
    expect(renderAuthProxyConfig(base)).not.toContain('"write:');
  });

  it("quotes user names in the map", () => {
    expect(renderAuthProxyConfig({ ...base, writers: ['we"ird'] })).toContain(
      '    "write:we\\"ird" 0;',
    );
  });

  it("tells Distribution the client's host and scheme, never a client-supplied Forwarded", () => {
    const config = renderAuthProxyConfig(base);
    expect(config).toContain("      proxy_set_header Host $http_host;");
    expect(config).toContain('      proxy_set_header Forwarded "";');
    expect(config).toContain("      proxy_set_header X-Forwarded-Host $http_host;");
    expect(config).toContain("      proxy_set_header X-Forwarded-Proto $scheme;");
  });

  it("answers v2 clients' version header on nginx's own 401s, and serves the probe at exactly /", () => {
    const config = renderAuthProxyConfig(base);
    expect(config).toContain(
      "      add_header Docker-Distribution-Api-Version $registry_api_version always;",
    );
    expect(config).toContain(
      "    location = / {\n      access_log off;\n      proxy_pass http://127.0.0.1:5080;",
    );
  });

  it("bounds nginx's workers instead of counting the node's CPUs", () => {
    expect(renderAuthProxyConfig(base)).toMatch(/^worker_processes 2;/);
    expect(renderAuthProxyConfig({ ...base, workerProcesses: 4 })).toMatch(/^worker_processes 4;/);
  });
});

describe("htpasswd script", () => {
  it("hashes each user once and fails instead of writing an empty entry", () => {
    const script = htpasswdScript([{ key: "push" }, { key: "pull" }]);
    expect(script.match(/htpasswd -n -B/g)).toHaveLength(2);
    expect(script).not.toContain("|");
    expect(script.split("\n").slice(0, 2)).toEqual(["set -eu", "umask 077"]);
  });

  it("writes every user into the one users file", () => {
    const script = htpasswdScript([{ key: "push" }, { key: "pull" }]);
    expect(script).toContain(
      "sed '/^$/d' /auth/push.entry /auth/pull.entry > /auth/users.htpasswd",
    );
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
