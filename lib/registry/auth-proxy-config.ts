/**
 * The nginx front of a registry: TLS, Basic auth and authorisation by method, after
 * Distribution's "Authenticate proxy with nginx" recipe (distribution v3.1.1
 * docs/content/recipes/nginx.md). Distribution's own htpasswd auth authenticates but does not
 * authorise (every user may push), so the registry listens on the pod's loopback only and
 * nginx decides who may do what.
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

/** htpasswd files the init container writes, one per access level. */
export const USER_FILES = {
  /** Every user: may read (GET, HEAD). */
  read: "read.htpasswd",
  /** Users who may also write (POST, PUT, PATCH). */
  write: "write.htpasswd",
  /** Always empty: no credential passes (DELETE and any other method). */
  nobody: "nobody.htpasswd",
} as const;

export interface AuthProxyConfigProps {
  /** Port nginx serves TLS on. */
  readonly listenPort: number;
  /** `host:port` of the registry on the pod's loopback (plain HTTP). */
  readonly upstream: string;
  /** Basic auth realm shown to clients. */
  readonly realm: string;
  /** Folder holding the USER_FILES. */
  readonly usersDir: string;
  /**
   * Files whose presence puts the registry in read-only maintenance: writes get 503 while any
   * exists (garbage collection, backups). Checked on every request.
   * @default no maintenance switch
   */
  readonly readOnlyFlags?: readonly string[];
  /** Worker processes; nginx's `auto` counts the node's CPUs, not the container's limit. @default 2 */
  readonly workerProcesses?: number;
}

/** Methods that only read; every other method needs a user in the write file. */
const READ_METHODS = ["GET", "HEAD"] as const;
/** Methods that write (blob uploads, manifest pushes). DELETE is in neither list: refused. */
const WRITE_METHODS = ["POST", "PUT", "PATCH"] as const;

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
  'registry_access remote=$remote_addr user="$remote_user" method=$request_method uri="$uri" status=$status bytes=$body_bytes_sent';

/**
 * nginx.conf for the front. The user file is chosen by method (`auth_basic_user_file` takes
 * variables, nginx docs ngx_http_auth_basic_module): GET/HEAD check every user, writes only the
 * pushing users, DELETE an empty file, so a puller's push and every delete get 401 and an
 * anonymous request gets 401 whatever its method.
 */
export function renderAuthProxyConfig(props: AuthProxyConfigProps): string {
  const users = (file: string) => `${props.usersDir}/${file}`;
  const runtime = AUTH_PROXY_PATHS.runtimeDir;
  const methodFiles = [
    ...READ_METHODS.map((method) => `    ${method} ${users(USER_FILES.read)};`),
    ...WRITE_METHODS.map((method) => `    ${method} ${users(USER_FILES.write)};`),
    `    default ${users(USER_FILES.nobody)};`,
  ];
  const writeMethods = WRITE_METHODS.map((method) => `    ${method} 1;`);
  const flags = props.readOnlyFlags ?? [];
  const maintenance =
    flags.length > 0
      ? [
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
        ]
      : [];
  return [
    `worker_processes ${String(props.workerProcesses ?? 2)};`,
    "daemon off;",
    `pid ${runtime}/nginx.pid;`,
    "error_log stderr notice;",
    "",
    "events {",
    "  worker_connections 1024;",
    "}",
    "",
    "http {",
    "  server_tokens off;",
    `  client_body_temp_path ${runtime}/client-body;`,
    `  proxy_temp_path ${runtime}/proxy;`,
    `  fastcgi_temp_path ${runtime}/fastcgi;`,
    `  uwsgi_temp_path ${runtime}/uwsgi;`,
    `  scgi_temp_path ${runtime}/scgi;`,
    `  log_format registry '${ACCESS_LOG_FORMAT}';`,
    "  access_log /dev/stdout registry;",
    "",
    "  map $request_method $registry_users_file {",
    ...methodFiles,
    "  }",
    "  map $request_method $registry_write_method {",
    ...writeMethods,
    "    default 0;",
    "  }",
    "  # Clients need this header on nginx's own 401s to know they talk to a v2 registry.",
    "  map $upstream_http_docker_distribution_api_version $registry_api_version {",
    "    '' 'registry/2.0';",
    "  }",
    "",
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
    ...maintenance,
    "    location /v2/ {",
    `      auth_basic "${props.realm}";`,
    "      auth_basic_user_file $registry_users_file;",
    "      add_header Docker-Distribution-Api-Version $registry_api_version always;",
    `      proxy_pass http://${props.upstream};`,
    "      # Upload URLs the registry returns must name the host and scheme the client used.",
    "      proxy_set_header Host $http_host;",
    "      proxy_set_header X-Real-IP $remote_addr;",
    "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "      proxy_set_header X-Forwarded-Proto $scheme;",
    "    }",
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
    "}",
    "",
  ].join("\n");
}
