/**
 * The nginx front of a registry: TLS, Basic auth and authorisation by method, after
 * Distribution's "Authenticate proxy with nginx" recipe (distribution v3.1.1
 * docs/content/recipes/nginx.md). Distribution's own htpasswd auth authenticates but does not
 * authorise (every user may push), so the registry listens on the pod's loopback only and
 * nginx decides who may do what: it authenticates every user (401 for a missing or wrong
 * password), then refuses what the user may not do with 403 and a registry-API error
 * (`DENIED`), which clients show as such instead of reporting a wrong password.
 */

/** In-container paths of the auth proxy; the e2e test remaps them to a temporary directory. */
export const AUTH_PROXY_PATHS = {
  /** The rendered nginx.conf (from a ConfigMap). */
  config: "/etc/registry-auth-proxy/nginx.conf",
  configDir: "/etc/registry-auth-proxy",
  certificate: "/certs/tls.crt",
  privateKey: "/certs/tls.key",
  /** pid file and request/response temp files (an emptyDir: the root filesystem is read-only). */
  runtimeDir: "/run/nginx",
} as const;

/** The htpasswd file the init container writes: every user, for authentication. */
export const USERS_FILE = "users.htpasswd";

export interface AuthProxyConfigProps {
  /** Port nginx serves TLS on. */
  readonly listenPort: number;
  /** `host:port` of the registry on the pod's loopback (plain HTTP). */
  readonly upstream: string;
  /** Basic auth realm shown to clients. */
  readonly realm: string;
  /** Folder holding USERS_FILE. */
  readonly usersDir: string;
  /**
   * Usernames that may write (POST, PUT, PATCH); every authenticated user may read (GET,
   * HEAD), nobody may delete or use another method.
   * @default none (a read-only registry)
   */
  readonly writers?: readonly string[];
  /**
   * Files whose presence puts the registry in read-only maintenance: writes get 503 while any
   * exists (garbage collection, backups). Checked on every request.
   * @default no maintenance switch
   */
  readonly readOnlyFlags?: readonly string[];
  /** Worker processes; nginx's `auto` counts the node's CPUs, not the container's limit. @default 2 */
  readonly workerProcesses?: number;
}

/** Methods that only read. */
const READ_METHODS = ["GET", "HEAD"] as const;
/** Methods that write (blob uploads, manifest pushes). DELETE is in neither list: refused. */
const WRITE_METHODS = ["POST", "PUT", "PATCH"] as const;

/** Internal location a refused request is moved to: it authenticates, then answers 403. */
const DENIED_LOCATION = "/__registry_denied__";

/** Body of the 403 for an authenticated user's refused request, in Distribution's format. */
const DENIED_ERROR = JSON.stringify({
  errors: [
    {
      code: "DENIED",
      message:
        "requested access to the resource is denied: this user may only pull (pushes need the push user; nobody may delete)",
    },
  ],
});

/** Body of the 503 during maintenance, in Distribution's error format so clients print it. */
const MAINTENANCE_ERROR = JSON.stringify({
  errors: [
    {
      code: "UNAVAILABLE",
      message: "registry is read-only for maintenance (garbage collection or backup); retry later",
    },
  ],
});

/** The access-log line: who did what with which result, one line per request. */
export const ACCESS_LOG_FORMAT =
  'registry_access remote=$remote_addr user="$remote_user" method=$request_method uri="$registry_path" status=$status bytes=$body_bytes_sent';

/** `"` and `\\` escaped for an nginx double-quoted string. */
const nginxQuoted = (text: string) => `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;

/**
 * nginx.conf for the front. Every request authenticates against USERS_FILE. Which requests a
 * user may make is a map over `<method class>:<user>` (`$remote_user` is the Authorization
 * header's name, unauthenticated until the access phase): a refused request is rewritten to
 * an internal location that authenticates again (so a wrong password stays 401) and only then,
 * in the try-files phase that follows access, answers 403 with a registry-API JSON error.
 */
export function renderAuthProxyConfig(props: AuthProxyConfigProps): string {
  return [
    ...processSettings(props.workerProcesses ?? 2),
    "",
    "http {",
    ...httpSettings(),
    "",
    ...accessMaps(props.writers ?? []),
    "",
    ...serverBlock(props),
    "}",
    "",
  ].join("\n");
}

/** The main context: one foreground process tree, its pid file on the writable runtime dir. */
function processSettings(workerProcesses: number): string[] {
  return [
    `worker_processes ${String(workerProcesses)};`,
    "daemon off;",
    `pid ${AUTH_PROXY_PATHS.runtimeDir}/nginx.pid;`,
    "error_log stderr notice;",
    "",
    "events {",
    "  worker_connections 1024;",
    "}",
  ];
}

/** The http context's settings: temp files on the runtime dir, one access-log line a request. */
function httpSettings(): string[] {
  const runtime = AUTH_PROXY_PATHS.runtimeDir;
  return [
    "  server_tokens off;",
    `  client_body_temp_path ${runtime}/client-body;`,
    `  proxy_temp_path ${runtime}/proxy;`,
    `  fastcgi_temp_path ${runtime}/fastcgi;`,
    `  uwsgi_temp_path ${runtime}/uwsgi;`,
    `  scgi_temp_path ${runtime}/scgi;`,
    `  log_format registry '${ACCESS_LOG_FORMAT}';`,
    "  access_log /dev/stdout registry;",
  ];
}

/** The maps that decide per request: its method class, whether it is refused, whether it writes. */
function accessMaps(writers: readonly string[]): string[] {
  return [
    "  map $request_method $registry_method_class {",
    ...READ_METHODS.map((method) => `    ${method} read;`),
    ...WRITE_METHODS.map((method) => `    ${method} write;`),
    "    default other;",
    "  }",
    "  # Refused unless listed: reads for every user, writes for the writers, nothing else.",
    '  map "$registry_method_class:$remote_user" $registry_denied {',
    ...writers.map((user) => `    ${nginxQuoted(`write:${user}`)} 0;`),
    '    "~^read:" 0;',
    "    default 1;",
    "  }",
    "  map $request_method $registry_write_method {",
    ...WRITE_METHODS.map((method) => `    ${method} 1;`),
    "    default 0;",
    "  }",
    "  # Clients need this header on nginx's own 401s to know they talk to a v2 registry.",
    "  map $upstream_http_docker_distribution_api_version $registry_api_version {",
    "    '' 'registry/2.0';",
    "  }",
  ];
}

/** The TLS server: streaming settings, the maintenance switch, then its locations. */
function serverBlock(props: AuthProxyConfigProps): string[] {
  const usersFile = `${props.usersDir}/${USERS_FILE}`;
  return [
    "  server {",
    `    listen ${String(props.listenPort)} ssl;`,
    `    ssl_certificate ${AUTH_PROXY_PATHS.certificate};`,
    `    ssl_certificate_key ${AUTH_PROXY_PATHS.privateKey};`,
    "    ssl_protocols TLSv1.2 TLSv1.3;",
    "    # Layers are large: no size limit, streamed both ways instead of buffered to disk.",
    "    client_max_body_size 0;",
    "    chunked_transfer_encoding on;",
    "    proxy_http_version 1.1;",
    "    proxy_request_buffering off;",
    "    proxy_buffering off;",
    "    proxy_read_timeout 900s;",
    "    proxy_send_timeout 900s;",
    "",
    "    default_type application/json;",
    "",
    "    # The path as requested, for the access log (a refused request is rewritten).",
    "    set $registry_path $uri;",
    ...maintenanceSwitch(props.readOnlyFlags ?? []),
    ...registryApiLocation(props.realm, usersFile, props.upstream),
    "",
    ...deniedLocations(props.realm, usersFile),
    "",
    "    # The readiness probe: nginx and the registry behind it both answer.",
    "    location = / {",
    "      access_log off;",
    `      proxy_pass http://${props.upstream};`,
    "    }",
    "",
    "    location / {",
    "      return 404;",
    "    }",
    "  }",
  ];
}

/** Writes answer 503 while any flag file exists; nothing without flags. */
function maintenanceSwitch(flags: readonly string[]): string[] {
  if (flags.length === 0) return [];
  return [
    "    # Read-only maintenance: writes are refused while a flag exists; reads go on.",
    "    # Server level, where `if` holds only rewrite directives (no if-in-location pitfalls).",
    '    set $registry_maintenance_write "";',
    ...flags.flatMap((flag) => [
      `    if (-f ${flag}) {`,
      "      set $registry_maintenance_write $registry_write_method;",
      "    }",
    ]),
    '    if ($registry_maintenance_write = "1") {',
    "      return 503 '" + MAINTENANCE_ERROR + "';",
    "    }",
    "",
  ];
}

/** The registry API: authenticated, refused requests moved aside, the rest proxied. */
function registryApiLocation(realm: string, usersFile: string, upstream: string): string[] {
  return [
    "    location /v2/ {",
    `      auth_basic "${realm}";`,
    `      auth_basic_user_file ${usersFile};`,
    "      add_header Docker-Distribution-Api-Version $registry_api_version always;",
    "      if ($registry_denied) {",
    `        rewrite ^ ${DENIED_LOCATION} last;`,
    "      }",
    `      proxy_pass http://${upstream};`,
    "      # Upload URLs the registry returns must name the host and scheme the client used:",
    "      # Distribution prefers Forwarded, then X-Forwarded-Host, to Host (distribution",
    "      # registry/api/v2/urls.go), so a client's own Forwarded never reaches it.",
    "      proxy_set_header Host $http_host;",
    '      proxy_set_header Forwarded "";',
    "      proxy_set_header X-Forwarded-Host $http_host;",
    "      proxy_set_header X-Real-IP $remote_addr;",
    "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "      proxy_set_header X-Forwarded-Proto $scheme;",
    "    }",
  ];
}

/** Where a refused request ends: authenticated again, then 403 with DENIED_ERROR. */
function deniedLocations(realm: string, usersFile: string): string[] {
  return [
    "    # Authenticated first (a wrong password is 401), then refused: try_files runs after",
    "    # the access phase, and no file by this name exists.",
    `    location = ${DENIED_LOCATION} {`,
    "      internal;",
    `      auth_basic "${realm}";`,
    `      auth_basic_user_file ${usersFile};`,
    "      try_files /nonexistent =403;",
    "      error_page 403 @registry_denied;",
    "    }",
    "    location @registry_denied {",
    "      add_header Docker-Distribution-Api-Version registry/2.0 always;",
    "      return 403 '" + DENIED_ERROR + "';",
    "    }",
  ];
}
