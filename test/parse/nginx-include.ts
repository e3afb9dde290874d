// nginx-include: NGINX_INCLUDE_FILE expansion ($NAME from the app's env, nginx's own variables kept), the
// server-level statements read with nginx's word rules, and errors that name FILE:LINE.
import t from 'tap'
import { expandIncludeVars, parseNginxStatements, parseNginxInclude, locationKey } from '../../lib/parse/nginx-include.js'

const env = { APP: 'web', BACKEND: 'api.internal:8080', SIZE: '8M', EMPTY: '' }

t.test('expandIncludeVars: $NAME and ${NAME} from the env; names it does not hold stay as written', async (t) => {
  const r = expandIncludeVars('proxy_pass http://$BACKEND;\nclient_max_body_size ${SIZE};\nreturn 301 https://$host$request_uri;\nadd_header X "${APP}-$APPX-${host}-$EMPTY";\n', 'nginx.conf', env)
  t.same(r, { ok: true, value: 'proxy_pass http://api.internal:8080;\nclient_max_body_size 8M;\nreturn 301 https://$host$request_uri;\nadd_header X "web-$APPX-${host}-";\n' })
})

t.test('expandIncludeVars: a value that could leave its line is refused, naming the key and the line', async (t) => {
  for (const [value, what] of [['a;b', '";"'], ['a\nb', 'a newline'], ['a}', '"}"'], ['{', '"{"'], ['"x', '"\\""'], ["it's", `"'"`], ['a # b', '"#"'], ['a\\b', '"\\\\"'], ['a\rb', 'a carriage return'], ['a\x01', 'a control character']]) {
    const r = expandIncludeVars('gzip on;\nadd_header X $EVIL;\n', 'conf/site.conf', { EVIL: value })
    t.same(r, { ok: false, errors: [`conf/site.conf:2: $EVIL is not expanded: the value of EVIL holds ${what}, which could end the line or the directive (use values without newlines, ; { } quotes # or \\)`] }, JSON.stringify(value))
  }
  t.match(expandIncludeVars('x ${EVIL};', 'nginx.conf', { EVIL: 'a;b' }), { ok: false, errors: [/^nginx\.conf:1: \$\{EVIL\} is not expanded: the value of EVIL holds ";"/] })
  t.same(expandIncludeVars('x $OTHER;', 'nginx.conf', { EVIL: 'a;b' }), { ok: true, value: 'x $OTHER;' }, 'only the names used are checked')
})

t.test('parseNginxStatements: server-level statements with lines, blocks skipped inside', async (t) => {
  const text = [
    '# comment with ; and { braces }',
    'client_max_body_size 8M;',
    'add_header X-Thing "a; b {c}" always;',
    "add_header 'X-Other' v#notacomment;",
    'location ~ ^/api/(?<rest>.*)$ {',
    '    proxy_set_header Host ${host};',
    '    if ($request_method = POST) { return 405; }',
    '}',
    'location = /x {',
    '}',
    'return 200 "multi',
    'line";',
    'rewrite ^/a\\;b /c;',
    '',
  ].join('\n')
  const r = parseNginxStatements(text, 'nginx.conf')
  t.same(r, {
    ok: true,
    value: [
      { name: 'client_max_body_size', args: ['8M'], line: 2, block: false },
      { name: 'add_header', args: ['X-Thing', 'a; b {c}', 'always'], line: 3, block: false },
      { name: 'add_header', args: ['X-Other', 'v#notacomment'], line: 4, block: false },
      { name: 'location', args: ['~', '^/api/(?<rest>.*)$'], line: 5, block: true },
      { name: 'location', args: ['=', '/x'], line: 9, block: true },
      { name: 'return', args: ['200', 'multi\nline'], line: 11, block: false },
      { name: 'rewrite', args: ['^/a\\;b', '/c'], line: 13, block: false },
    ],
  })
})

t.test('parseNginxStatements: unbalanced text is refused at its line', async (t) => {
  const cases: [string, string][] = [
    ['gzip on;\nlocation / {\n  return 200;\n', 'nginx.conf:2: the "{" opened here is not closed'],
    ['gzip on;\n}\n', 'nginx.conf:2: unexpected "}"'],
    ['gzip on\n', 'nginx.conf:1: "gzip" has no ending ";"'],
    ['location / {\n  return 200\n}\n', 'nginx.conf:2: "return" has no ending ";"'],
    ['gzip on;\nadd_header X "open;\n', 'nginx.conf:2: the quote " opened here is not closed'],
    [';', 'nginx.conf:1: unexpected ";"'],
    ['{ }', 'nginx.conf:1: unexpected "{"'],
  ]
  for (const [text, error] of cases) t.same(parseNginxStatements(text, 'nginx.conf'), { ok: false, errors: [error] }, JSON.stringify(text))
})

t.test('parseNginxInclude: listen, server_name and our own locations are refused with their lines', async (t) => {
  const r = parseNginxInclude('gzip on;\nlisten 8080;\nserver_name evil.org;\nlocation ^~ /.well-known/acme-challenge/ { return 404; }\nlocation = /.well-known/piku-hooks-release { return 200; }\n', 'nginx.conf', {})
  t.same(r, {
    ok: false,
    errors: [
      'nginx.conf:2: "listen" cannot be set here: the ports are the host\'s (install.sh --http-port, --https-port, --listen)',
      'nginx.conf:3: "server_name" cannot be set here: the names come from NGINX_SERVER_NAME',
      "nginx.conf:4: location ^~ /.well-known/acme-challenge/ is piku-hooks' own (certificate challenges and deploy checks use it)",
      "nginx.conf:5: location = /.well-known/piku-hooks-release is piku-hooks' own (certificate challenges and deploy checks use it)",
    ],
  })
  const good = parseNginxInclude('client_max_body_size $SIZE;\n', 'nginx.conf', env)
  t.match(good, { ok: true, value: { file: 'nginx.conf', text: 'client_max_body_size 8M;\n', statements: [{ name: 'client_max_body_size', args: ['8M'], line: 1 }] } })
  t.match(parseNginxInclude('x $EVIL;', 'n.conf', { EVIL: ';' }), { ok: false, errors: [/^n\.conf:1: \$EVIL is not expanded/] }, 'expansion errors first')
})

t.test('locationKey: the same location however it is written', async (t) => {
  t.equal(locationKey(['/']), 'prefix /')
  t.equal(locationKey(['^~', '/a/']), 'prefix /a/')
  t.equal(locationKey(['^~/a/']), 'prefix /a/')
  t.equal(locationKey(['=', '/x']), 'exact /x')
  t.equal(locationKey(['=/x']), 'exact /x')
  t.equal(locationKey(['~', '/\\.git']), 'regex ~ /\\.git')
  t.equal(locationKey(['~*', '\\.png$']), 'regex ~* \\.png$')
  t.equal(locationKey(['@fallback']), 'named @fallback')
})

t.test('parseNginxStatements: escapes inside quotes, a backslash-newline counts its line', async (t) => {
  const r = parseNginxStatements('add_header X "a \\"b\\" \\\\ \\t" ;\nadd_header Y "c\\\nd";\nreturn 200;\n', 'inc.conf')
  t.match(r, { ok: true, value: [{ name: 'add_header', args: ['X', 'a "b" \\ \t'], line: 1 }, { name: 'add_header', args: ['Y', 'c\\\nd'], line: 2 }, { name: 'return', args: ['200'], line: 4 }] })
})

t.test('parseNginxInclude: with the release, root/alias outside it and files nginx opens as root are refused at any depth', async (t) => {
  const rel = '/home/piku/apps/a/releases/v3'
  const text = [
    'location /ok/ { alias /home/piku/apps/a/releases/v3/public/; }',
    'location /etc/ { alias /etc/; }',
    'location /b/ {',
    '  root /home/piku/apps/b/current;',
    '}',
    'location /up/ { root /home/piku/apps/a/releases/v3/../../b; }',
    'location /var/ { root $document_root/x; }',
    'access_log /home/piku/apps/a/releases/v3/log;',
    'location /x/ { auth_basic_user_file /home/piku/auth/b.htpasswd; include /etc/nginx/mime.types; disable_symlinks off; }',
    'root /home/piku/apps/a/releases/v3;',
    '',
  ].join('\n')
  const r = parseNginxInclude(text, 'nginx.conf', {}, rel)
  t.notOk(r.ok)
  if (!r.ok) {
    t.same(r.errors, [
      `nginx.conf:2: alias /etc/ is outside the app's release (${rel}): an include serves only the app's own files, by absolute path, without variables`,
      `nginx.conf:4: root /home/piku/apps/b/current is outside the app's release (${rel}): an include serves only the app's own files, by absolute path, without variables`,
      `nginx.conf:6: root /home/piku/apps/a/releases/v3/../../b is outside the app's release (${rel}): an include serves only the app's own files, by absolute path, without variables`,
      `nginx.conf:7: root $document_root/x is outside the app's release (${rel}): an include serves only the app's own files, by absolute path, without variables`,
      'nginx.conf:8: "access_log" cannot be used in an app\'s include: nginx opens its file as root (or it turns the symlink check off)',
      'nginx.conf:9: "auth_basic_user_file" cannot be used in an app\'s include: nginx opens its file as root (or it turns the symlink check off)',
      'nginx.conf:9: "include" cannot be used in an app\'s include: nginx opens its file as root (or it turns the symlink check off)',
      'nginx.conf:9: "disable_symlinks" cannot be used in an app\'s include: nginx opens its file as root (or it turns the symlink check off)',
    ])
  }
  t.ok(parseNginxInclude('location /s/ { alias /home/piku/apps/a/releases/v3/s/; }\nroot /home/piku/apps/a/releases/v3;\n', 'nginx.conf', {}, rel + '/').ok, 'inside the release: accepted')
  t.ok(parseNginxInclude('location /etc/ { alias /etc/; }\n', 'nginx.conf', {}).ok, 'without a release, only the host-owned checks')
})

t.test('parseNginxInclude: no upstream TLS files, unix sockets, variable backends or shared cache zones (acceptance findings)', async (t) => {
  const rel = '/home/piku/apps/a/releases/v3'
  const text = [
    'location /k/ { proxy_pass https://127.0.0.1:9; proxy_ssl_certificate_key /home/piku/certs/b/key.pem; proxy_ssl_certificate /home/piku/certs/b/cert.pem; }',
    'location /u/ { uwsgi_pass unix:/home/piku/run/b.sock; }',
    'location /p/ { proxy_pass http://unix:/var/run/postgresql/.s.PGSQL.5432:/; }',
    'location /v/ { proxy_pass http://$arg_to/x; }',
    'location /f/ { fastcgi_pass $arg_to; grpc_ssl_trusted_certificate /etc/shadow; }',
    'location /c/ { proxy_cache piku__other__b; proxy_cache_key "httpb.example.com/"; proxy_pass http://127.0.0.1:5000; }',
    'location /ok/ { proxy_pass http://127.0.0.1:5000/api$request_uri; proxy_cache off; uwsgi_pass 127.0.0.1:5001; }',
    '',
  ].join('\n')
  const r = parseNginxInclude(text, 'nginx.conf', {}, rel)
  t.notOk(r.ok)
  if (!r.ok) {
    const root = (l: number, n: string) => `nginx.conf:${l}: "${n}" cannot be used in an app's include: nginx opens its file as root (or it turns the symlink check off)`
    const pass = (l: number, what: string) => `nginx.conf:${l}: ${what}: an include passes requests to a host:port written out, not to a unix socket or a variable (nginx would connect to any socket on the machine)`
    t.same(r.errors, [
      root(1, 'proxy_ssl_certificate_key'),
      root(1, 'proxy_ssl_certificate'),
      pass(2, 'uwsgi_pass unix:/home/piku/run/b.sock'),
      pass(3, 'proxy_pass http://unix:/var/run/postgresql/.s.PGSQL.5432:/'),
      pass(4, 'proxy_pass http://$arg_to/x'),
      pass(5, 'fastcgi_pass $arg_to'),
      root(5, 'grpc_ssl_trusted_certificate'),
      "nginx.conf:6: proxy_cache piku__other__b: cache zones are shared by every app on this nginx; use NGINX_CACHE_PREFIXES for the app's own cache",
    ])
  }
  t.ok(parseNginxInclude('location /a/ { proxy_pass http://$BACKEND; }\n', 'nginx.conf', { BACKEND: '127.0.0.1:8080' }, rel).ok, "a backend from the app's ENV, written out once expanded, is accepted")
})
