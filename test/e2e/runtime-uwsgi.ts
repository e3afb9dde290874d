// e2e/runtime-uwsgi: a PHP app (`php: public`, composer) and a Rack app (`rwsgi: config.ru`, bundler) pushed for
// real, served by uwsgi's php and rack plugins on loopback behind nginx: php executes only inside the docroot,
// the docroot's other files are static, the rack app is loaded with its bundle, and nothing listens beyond 127.0.0.1.
import { execFileSync } from 'node:child_process'
import { appendFileSync, readdirSync, readFileSync } from 'node:fs'
import { request } from 'node:http'
import t from 'tap'
import { httpGet, makeApp, push, setupHost, ssh, type TestHost } from '../fixtures/host.js'

const user = 'phrtp'
const ports = { sshPort: 22410, httpPort: 28210, httpsPort: 28610 }

const composerJson = '{\n    "name": "e2e/phpapp",\n    "require": {},\n    "autoload": { "psr-4": { "App\\\\": "src/" } }\n}\n'
const composerLock = JSON.stringify({ _readme: ['e2e'], 'content-hash': '3c3568314a4df483bbc753731d84a02f', packages: [], 'packages-dev': [], aliases: [], 'minimum-stability': 'stable', 'stability-flags': [], 'prefer-stable': false, 'prefer-lowest': false, platform: [], 'platform-dev': [], 'plugin-api-version': '2.3.0' }, null, 4) + '\n'
const phpFiles = {
  Procfile: 'php: public\n',
  ENV: 'NGINX_SERVER_NAME=php.example.test\nGREETING=hi %(home) @(x)\nUWSGI_PROCESSES=2\nPIKU_MEMORY_MAX=128M\n',
  'composer.json': composerJson,
  'composer.lock': composerLock,
  'src/Hello.php': '<?php\nnamespace App;\nclass Hello { public static function greet(): string { return "autoloaded"; } }\n',
  'public/index.php': '<?php\nrequire __DIR__ . "/../vendor/autoload.php";\necho "php ", 6 * 7, " ", \\App\\Hello::greet(), " ", getenv("APP"), " ", getenv("GREETING"), " ", $_ENV["PROC_TYPE"];\n',
  'public/style.css': 'body { color: teal }\n',
  'public/limit.php': '<?php echo ini_get("memory_limit");\n',
  'public/edited.php': '<?php echo getenv("EDITED") ?: "stock";\n',
  'public/notes.txt': '<?php echo "EXECUTED";\n',
  'public/parts.inc': '<?php echo "EXECUTED";\n',
  'secret.php': '<?php echo "EXECUTED";\n',
  'public2/evil.php': '<?php echo "EXECUTED";\n',
  'public/sub/index.php': '<?php echo "sub";\n',
}

/** Debian's rack version (ruby-rack), which the Gemfile.lock pins so bundler needs no download. */
function debianRack(): string | undefined {
  try {
    return readdirSync('/usr/share/rubygems-integration/all/specifications').map((f) => /^rack-(\d[\d.]*)\.gemspec$/.exec(f)?.[1]).find(Boolean)
  } catch {
    return undefined
  }
}

/** Listening sockets (ss -ltnp) of processes owned by `user`: "ADDRESS:PORT process". */
function listenersOf(user: string): string[] {
  const pids = new Set(execFileSync('ps', ['-u', user, '-o', 'pid=']).toString().split(/\s+/).filter(Boolean))
  return execFileSync('ss', ['-Hltnp'])
    .toString()
    .split('\n')
    .filter((l) => [...l.matchAll(/pid=(\d+)/g)].some((m) => pids.has(m[1])))
    .map((l) => l.trim().split(/\s+/)[3] + ' ' + (/users:\(\("([^"]+)"/.exec(l)?.[1] ?? '?'))
}

/** POST `body` through nginx with `Host: name`: [status, body]. */
function post(host: TestHost, name: string, path: string, body: string): Promise<[number, string]> {
  return new Promise((done, failed) => {
    const req = request({ host: '127.0.0.1', port: host.httpPort, path, method: 'POST', headers: { Host: name, 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) }, agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (text += d))
      res.on('end', () => done([res.statusCode ?? 0, text]))
    })
    req.on('error', failed)
    req.end(body)
  })
}

/** The instance's own vassal: the emperor's file itself, or, for a sandboxed instance, the one its wrapper runs
 *  (ACTIVATION/KIND.N.ini beside ACTIVATION/KIND.N.sandbox.sh). */
function realVassal(text: string): string {
  const wrapper = /^privileged-binary-patch-arg = (.+)\.sandbox\.sh$/m.exec(text)
  return wrapper ? readFileSync(`${wrapper[1]}.ini`, 'utf8') : text
}

if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root: they create a user, start sshd and change nginx')
} else {
  let host: TestHost
  t.before(async () => {
    host = await setupHost(t, { user, ...ports })
  })

  t.test('runtime: a php app serves its docroot through nginx; only .php inside it executes', async (t) => {
    const dir = makeApp(t, phpFiles)
    execFileSync('ln', ['-s', '../secret.php', 'public/link.php'], { cwd: dir })
    execFileSync('ln', ['-s', '../public2/evil.php', 'public/sibling.php'], { cwd: dir })
    execFileSync('git', ['add', '-A'], { cwd: dir })
    execFileSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@test', 'commit', '-q', '-m', 'a link out of the docroot'], { cwd: dir })
    const r = await push(host, dir, 'phpapp')
    t.equal(r.code, 0, r.stderr)
    t.match(r.stderr, /php app detected/)
    t.match(r.stderr, /installing dependencies with composer install --no-dev/)
    const get = (path: string) => httpGet(host, 'php.example.test', path)
    t.same(await get('/').then((x) => [x.status, x.body]), [200, 'php 42 autoloaded phpapp hi %(home) @(x) php'], 'index.php runs, with the autoloader and the env')
    const css = await get('/style.css')
    t.same([css.status, css.body, css.headers['content-type']], [200, 'body { color: teal }\n', 'text/css'], 'a static file is served')
    t.same(await get('/notes.txt').then((x) => [x.status, x.body]), [200, '<?php echo "EXECUTED";\n'], 'a non-.php file is served as it is, never run')
    t.not((await get('/parts.inc')).body, 'EXECUTED', '.inc neither runs nor is served')
    t.equal((await get('/parts.inc')).status, 403)
    t.equal((await get('/link.php')).status, 403, 'a .php whose real path is outside the docroot does not run')
    t.equal((await get('/sibling.php')).status, 403, 'nor one in a folder beside it whose name starts with the docroot\'s')
    t.equal((await get('/secret.php')).status, 404, 'the app root is not the docroot')
    t.same(await get('/sub/').then((x) => [x.status, x.body]), [200, 'sub'], 'a folder\'s index.php runs')
    t.equal((await get('/index.php')).status, 200)
    const vassals = readdirSync(`${host.home}/uwsgi/vassals`).filter((f) => f.startsWith('phpapp@'))
    t.equal(vassals.length, 1)
    const entry = readFileSync(`${host.home}/uwsgi/vassals/${vassals[0]}`, 'utf8')
    const ini = realVassal(entry)
    t.match(ini, /^http-socket = 127\.0\.0\.1:\d+$/m)
    t.match(ini, /^processes = 2$/m, 'UWSGI_PROCESSES applies')
    t.equal((await get('/limit.php')).body, '48M', "under PIKU_MEMORY_MAX=128M, PHP's memory_limit is 75% of it per process")
    const port = /^http-socket = 127\.0\.0\.1:(\d+)$/m.exec(ini)![1]
    const line = execFileSync('ss', ['-Hltnp', `sport = :${port}`]).toString()
    const pids = [...line.matchAll(/pid=(\d+)/g)].map((m) => m[1])
    t.ok(pids.length > 0, line)
    if (/^MEMORY_CGROUP=/m.test(readFileSync(`${host.home}/host.env`, 'utf8'))) {
      for (const pid of pids) t.match(readFileSync(`/proc/${pid}/cgroup`, 'utf8'), /piku-hooks-phrtp\//, `php worker ${pid} runs in its memory cgroup`)
    }
    if (entry !== ini) {
      // sandboxed: the php workers run in the app's own pid namespace (bwrap --unshare-pid)
      for (const pid of pids) t.match(readFileSync(`/proc/${pid}/status`, 'utf8'), /^NSpid:\s+\d+\s+\d+/m, `php worker ${pid} runs in the app's sandbox`)
    }
  })

  t.test("runtime: an edit of the app's php-prepend.php applies at its next deploy", async (t) => {
    t.equal((await httpGet(host, 'php.example.test', '/edited.php')).body, 'stock')
    appendFileSync(`${host.home}/repos/phpapp/templates/uwsgi/php-prepend.php`, 'putenv("EDITED=by the admin");\n')
    const r = await ssh(host, ['deploy', 'phpapp'])
    t.equal(r.code, 0, r.stderr)
    t.equal((await httpGet(host, 'php.example.test', '/edited.php')).body, 'by the admin')
  })

  t.test('runtime: a rack app (rwsgi) is loaded with its bundle and answers through nginx', async (t) => {
    const rack = debianRack()
    if (!rack) return t.skip("Debian's ruby-rack is not installed (apt-get install -y ruby-rack)", () => {})
    const dir = makeApp(t, {
      Procfile: 'rwsgi: config.ru\n',
      ENV: 'NGINX_SERVER_NAME=rack.example.test\nGREETING=hi $(id)\n',
      Gemfile: 'source "https://rubygems.org"\ngem "rack"\n',
      'Gemfile.lock': `GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (${rack})\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  rack\n`,
      'config.ru': 'require_relative "lib/hello"\nrun Hello.new\n',
      'lib/hello.rb':
        'class Hello\n  def call(env)\n    if env["REQUEST_METHOD"] == "POST"\n      first = env["rack.input"].read\n      env["rack.input"].rewind\n      return [200, { "content-type" => "text/plain" }, ["posted #{first.bytesize} #{env["rack.input"].read == first}"]]\n    end\n    body = "rack #{ENV["APP"]} #{ENV["GREETING"]} #{defined?(Bundler) ? "bundled" : "plain"} #{Rack.release} #{Dir.pwd == File.dirname(__dir__)}"\n    [200, { "content-type" => "text/plain" }, [body]]\n  end\nend\n',
    })
    const r = await push(host, dir, 'rackapp')
    t.equal(r.code, 0, r.stderr)
    t.match(r.stderr, /ruby app detected/)
    t.match(r.stderr, /installing gems with bundle install/)
    const res = await httpGet(host, 'rack.example.test', '/')
    t.same([res.status, res.body], [200, `rack rackapp hi $(id) bundled ${rack} true`])
    const posted = await post(host, 'rack.example.test', '/', 'x'.repeat(10000))
    t.same(posted, [200, 'posted 10000 true'], 'a request body beyond post-buffering is read and rewound')
  })

  t.test('runtime: php and rack workers listen on loopback only', async (t) => {
    const listening = listenersOf(user)
    t.ok(listening.filter((l) => / uwsgi/.test(l)).length >= 2, `the php and rack workers listen: ${listening.join(', ')}`)
    for (const l of listening) t.match(l, /^127\.0\.0\.1:\d+ /, l)
    const ps = await ssh(host, ['ps', 'phpapp'])
    t.equal(ps.code, 0, ps.stderr)
    t.match(ps.stdout, /php\.1/, 'ps shows the php instance')
  })

  t.test('runtime: a bad php docroot or rackup file is refused in one line', async (t) => {
    const dir = makeApp(t, { Procfile: 'php: ../public\n', 'public/index.php': '<?php echo 1;\n' })
    const r = await push(host, dir, 'phpbad')
    t.not(r.code, 0)
    t.match(r.stderr, /Procfile:1: "php" takes a path inside the app/)
    const missing = makeApp(t, { Procfile: 'rwsgi: config.ru\n', 'app.ru': 'run ->(e) { [200, {}, ["x"]] }\n' })
    const m = await push(host, missing, 'phpbad')
    t.not(m.code, 0)
    t.match(m.stderr, /Procfile: "rwsgi: config\.ru": no such file in this commit/)
  })
}
