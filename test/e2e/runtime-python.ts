// e2e/runtime-python: a wsgi app whose requirements.txt names a wheel in the repo, pushed for real:
// venv with Debian's python, ENV and DATA_ROOT in os.environ, nginx, uwsgi settings, caching, errors.
import { execFileSync } from 'node:child_process'
import { chownSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { commitFiles, httpGet, makeApp, push, setupHost, type TestHost, readVassal } from '../fixtures/host.js'

const user = 'phpy'
const ports = { sshPort: 22241, httpPort: 28041, httpsPort: 28441 }

/** A pure-Python wheel `greet-0.1` written by hand (PyPI is not reachable): greet.hello(name). */
function writeWheel(dir: string): string {
  const script = `
import base64, hashlib, sys, zipfile
files = {
  "greet/__init__.py": "def hello(name):\\n    return 'hello ' + name\\n",
  "greet-0.1.dist-info/METADATA": "Metadata-Version: 2.1\\nName: greet\\nVersion: 0.1\\n",
  "greet-0.1.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: hand\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
record = []
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for name, text in files.items():
        data = text.encode()
        z.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append("greet-0.1.dist-info/RECORD,,")
    z.writestr(zipfile.ZipInfo("greet-0.1.dist-info/RECORD", (2024, 1, 1, 0, 0, 0)), "\\n".join(record) + "\\n")
`
  const rel = 'wheels/greet-0.1-py3-none-any.whl'
  execFileSync('mkdir', ['-p', join(dir, 'wheels')])
  execFileSync('/usr/bin/python3', ['-c', script, join(dir, rel)])
  return rel
}

const appPy = `import json, os, sys
import greet

def application(environ, start_response):
    keys = ["APP", "GREETING", "NAME", "DATA_ROOT", "CACHE_ROOT", "LOG_ROOT", "HOME", "PATH", "PROC_TYPE", "PORT", "BIND_ADDRESS", "VIRTUAL_ENV", "FROM_CONFIG"]
    body = {k: os.environ.get(k) for k in keys}
    body["hello"] = greet.hello("wsgi")
    body["greet_from"] = greet.__file__
    body["cwd"] = os.getcwd()
    with open(os.path.join(os.environ["DATA_ROOT"], "wsgi.touch"), "w") as f:
        f.write("ok")
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(body).encode()]
`

const env = [
  'NGINX_SERVER_NAME=py.example.test',
  'NAME=world',
  'GREETING="hi $NAME"',
  'FROM_CONFIG=repo',
  'UWSGI_PROCESSES=3',
  'UWSGI_MAX_REQUESTS=500',
  'UWSGI_LISTEN=64',
  'UWSGI_ENABLE_THREADS=false',
  'UWSGI_LOG_MAXSIZE=200000',
  'UWSGI_IDLE=600',
  'UWSGI_INCLUDE_FILE=uwsgi-extra.ini',
  '',
].join('\n')

const gitRef = (host: TestHost, app: string) =>
  execFileSync('git', ['-c', 'safe.directory=*', '--git-dir', `${host.home}/repos/${app}`, 'rev-parse', '--verify', '-q', 'refs/heads/main'], { stdio: ['ignore', 'pipe', 'ignore'] })
    .toString()
    .trim()
const head = (dir: string) => execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir }).toString().trim()
const vassalsOf = (host: TestHost, app: string) =>
  readdirSync(`${host.home}/uwsgi/vassals`)
    .filter((f) => f.startsWith(`${app}@`))
    .map((f) => readVassal(`${host.home}/uwsgi/vassals/${f}`))

if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root: they create a user, start sshd and change nginx')
} else {
  let host: TestHost
  let dir: string
  t.before(async () => {
    host = await setupHost(t, { user, ...ports })
  })

  t.test('runtime: python wsgi app with a wheel from the repo serves through nginx with its ENV', async (t) => {
    dir = makeApp((t.parent as Test | undefined) ?? t, { 'app.py': appPy, Procfile: 'wsgi: app:application\n', ENV: env, 'uwsgi-extra.ini': '# extra uwsgi options\nbuffer-size = 8192\n' })
    const wheel = writeWheel(dir)
    commitFiles(dir, { 'requirements.txt': `./${wheel}\n` }, 'wheel')
    const r = await push(host, dir, 'pyapp')
    t.equal(r.code, 0, r.stderr)
    t.match(r.stderr, /creating a virtualenv with \/usr\/bin\/python3 *\n/)
    t.match(r.stderr, /pip install -r requirements\.txt/)
    t.match(r.stderr, /Successfully installed greet-0\.1/)
    const res = await httpGet(host, 'py.example.test', '/')
    t.equal(res.status, 200, res.body)
    const body = JSON.parse(res.body)
    t.equal(body.hello, 'hello wsgi')
    t.match(body.greet_from, new RegExp(`^${host.home}/deps/pyapp/py-[0-9a-f]+/lib/python3\\.\\d+/site-packages/greet/`))
    t.equal(body.APP, 'pyapp')
    t.equal(body.GREETING, 'hi world')
    t.equal(body.FROM_CONFIG, 'repo')
    t.equal(body.DATA_ROOT, `${host.home}/data/pyapp`)
    t.equal(body.CACHE_ROOT, `${host.home}/cache/pyapp`)
    t.equal(body.LOG_ROOT, `${host.home}/logs/pyapp`)
    t.equal(body.HOME, host.home)
    t.equal(body.PROC_TYPE, 'wsgi')
    t.match(body.PORT, /^\d+$/)
    t.equal(body.BIND_ADDRESS, '127.0.0.1')
    t.match(body.PATH, new RegExp(`^${host.home}/deps/pyapp/py-[0-9a-f]+/bin:`))
    t.match(body.cwd, new RegExp(`^${host.home}/apps/pyapp/releases/v\\d+$`))
    t.equal(readFileSync(`${host.home}/data/pyapp/wsgi.touch`, 'utf8'), 'ok')
  })

  t.test('runtime: UWSGI_* settings and UWSGI_INCLUDE_FILE reach the wsgi vassal', async (t) => {
    const [ini] = vassalsOf(host, 'pyapp')
    t.ok(ini, 'one vassal')
    t.match(ini, /^plugin = python3$/m)
    t.match(ini, /^processes = 3$/m)
    t.match(ini, /^max-requests = 500$/m)
    t.match(ini, /^listen = 64$/m)
    t.match(ini, /^enable-threads = false$/m)
    t.match(ini, /^log-maxsize = 200000$/m)
    t.match(ini, /^idle = 600$/m)
    t.match(ini, /^cheap = true$/m)
    t.match(ini, /buffer-size = 8192\n$/, 'include lines come last')
    t.notMatch(ini, /GREETING|hi world/, 'env values stay out of the vassal file')
  })

  t.test('runtime: python second deploy with the same requirements.txt skips pip; config:set values win over ENV', async (t) => {
    const cfg = `${host.home}/config/pyapp/ENV`
    writeFileSync(cfg, 'FROM_CONFIG=config\n', { mode: 0o600 })
    const uid = Number(execFileSync('id', ['-u', user]).toString())
    chownSync(cfg, uid, Number(execFileSync('id', ['-g', user]).toString()))
    commitFiles(dir, { 'app.py': appPy.replace('"wsgi"', '"again"') }, 'code only')
    const r = await push(host, dir, 'pyapp')
    t.equal(r.code, 0, r.stderr)
    t.match(r.stderr, /dependencies unchanged/)
    t.notMatch(r.stderr, /pip install/)
    const body = JSON.parse((await httpGet(host, 'py.example.test', '/')).body)
    t.equal(body.hello, 'hello again')
    t.equal(body.FROM_CONFIG, 'config')
    t.equal(body.GREETING, 'hi world')
  })

  t.test('runtime: PYTHON_VERSION names a python the host lacks: the push fails and main stays', async (t) => {
    const before = gitRef(host, 'pyapp')
    commitFiles(dir, { ENV: env + 'PYTHON_VERSION=3.4\n' }, 'old python')
    const r = await push(host, dir, 'pyapp')
    t.not(r.code, 0)
    t.match(r.stderr, /PYTHON_VERSION=3\.4: \/usr\/bin\/python3\.4 is not installed on this host/)
    t.equal(gitRef(host, 'pyapp'), before)
    t.not(head(dir), before)
    commitFiles(dir, { ENV: env + 'PYTHON_VERSION=nope\n' }, 'bad python')
    const bad = await push(host, dir, 'pyapp')
    t.not(bad.code, 0)
    t.match(bad.stderr, /PYTHON_VERSION="nope": expected 3 or 3\.N/)
    const minor = execFileSync('/usr/bin/python3', ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']).toString().trim()
    commitFiles(dir, { ENV: env + `PYTHON_VERSION=${minor}\n` }, 'pinned python')
    const good = await push(host, dir, 'pyapp')
    t.equal(good.code, 0, good.stderr)
    t.match(good.stderr, new RegExp(`creating a virtualenv with /usr/bin/python${minor.replace('.', '\\.')}`))
    t.equal((await httpGet(host, 'py.example.test', '/')).status, 200)
  })

  t.test('runtime: a bad UWSGI_INCLUDE_FILE line fails the push with FILE:LINE', async (t) => {
    const before = gitRef(host, 'pyapp')
    commitFiles(dir, { 'uwsgi-extra.ini': 'buffer-size = 8192\nexec-asap = $(id)\nBad_Key = 1\n[uwsgi]\n' }, 'bad include')
    const r = await push(host, dir, 'pyapp')
    t.not(r.code, 0)
    t.match(r.stderr, /uwsgi-extra\.ini:2: the value of exec-asap/)
    t.match(r.stderr, /uwsgi-extra\.ini:3: "Bad_Key" is not a uwsgi option name/)
    t.match(r.stderr, /uwsgi-extra\.ini:4: section headers/)
    t.equal(gitRef(host, 'pyapp'), before)
    commitFiles(dir, { 'uwsgi-extra.ini': 'buffer-size = 8192\n' }, 'fixed include')
  })

  t.test('runtime: UWSGI_GEVENT runs wsgi workers on gevent (Debian plugin): one process serves a request while another waits', async (t) => {
    const geventPy = `import gevent, gevent.event
released = gevent.event.Event()

def application(environ, start_response):
    path = environ.get("PATH_INFO")
    if path == "/wait":
        body = "released" if released.wait(timeout=20) else "timed out"
    elif path == "/release":
        released.set()
        body = "set"
    else:
        body = "gevent " + gevent.__version__
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body.encode()]
`
    const g = makeApp(t, { 'app.py': geventPy, 'requirements.txt': '', Procfile: 'wsgi: app:application\n', ENV: 'NGINX_SERVER_NAME=gevent.example.test\nUWSGI_GEVENT=50\nUWSGI_PROCESSES=1\n' })
    const r = await push(host, g, 'gevapp')
    t.equal(r.code, 0, r.stderr)
    const [ini] = vassalsOf(host, 'gevapp')
    t.match(ini, /^plugin = gevent_python3\ngevent = 50$/m)
    t.notMatch(ini, /^threads =/m, 'no threads beside the loop engine')
    t.match((await httpGet(host, 'gevent.example.test', '/')).body, /^gevent \d+\./)
    const waiting = httpGet(host, 'gevent.example.test', '/wait', 30_000)
    await new Promise((done) => setTimeout(done, 500))
    t.equal((await httpGet(host, 'gevent.example.test', '/release')).body, 'set', 'the one process answers while /wait is pending')
    t.equal((await waiting).body, 'released')
  })

  t.test('runtime: UWSGI_ASYNCIO runs wsgi workers on the asyncio loop; both keys at once are refused', async (t) => {
    const a = makeApp(t, { 'app.py': 'def application(environ, start_response):\n    start_response("200 OK", [("Content-Type", "text/plain")])\n    return [b"asyncio ok"]\n', 'requirements.txt': '', Procfile: 'wsgi: app:application\n', ENV: 'NGINX_SERVER_NAME=asyncio.example.test\nUWSGI_ASYNCIO=10\n' })
    const r = await push(host, a, 'asyncapp')
    t.equal(r.code, 0, r.stderr)
    t.match(vassalsOf(host, 'asyncapp')[0], /^plugin = greenlet_python3\nplugin = asyncio_python3\nasyncio = 10\ngreenlet = true$/m)
    t.equal((await httpGet(host, 'asyncio.example.test', '/')).body, 'asyncio ok')
    commitFiles(a, { ENV: 'NGINX_SERVER_NAME=asyncio.example.test\nUWSGI_ASYNCIO=10\nUWSGI_GEVENT=10\n' }, 'both engines')
    const both = await push(host, a, 'asyncapp')
    t.not(both.code, 0)
    t.match(both.stderr, /UWSGI_GEVENT and UWSGI_ASYNCIO: set one of them, not both/)
    t.equal((await httpGet(host, 'asyncio.example.test', '/')).body, 'asyncio ok', 'the running release still answers')
  })

  t.test('runtime: uv (pyproject.toml + uv.lock) needs uv on the host', async (t) => {
    const uvApp = makeApp(t, {
      'pyproject.toml': '[project]\nname = "uvapp"\nversion = "0.1"\nrequires-python = ">=3.9"\ndependencies = []\n',
      'uv.lock': 'version = 1\nrequires-python = ">=3.9"\n\n[[package]]\nname = "uvapp"\nversion = "0.1"\nsource = { virtual = "." }\n',
      'app.py': 'def application(environ, start_response):\n    start_response("200 OK", [])\n    return [b"uv ok"]\n',
      Procfile: 'wsgi: app:application\n',
      ENV: 'NGINX_SERVER_NAME=uv.example.test\n',
    })
    const r = await push(host, uvApp, 'uvapp')
    const hasUv = ['/usr/local/bin/uv', '/usr/bin/uv', '/bin/uv'].some((p) => existsSync(p))
    if (hasUv) {
      t.equal(r.code, 0, r.stderr)
      t.match(r.stderr, /uv sync --frozen/)
      t.equal((await httpGet(host, 'uv.example.test', '/')).body, 'uv ok')
    } else {
      t.not(r.code, 0)
      t.match(r.stderr, /pyproject\.toml with uv\.lock needs "uv", which is not installed on this host/)
    }
  })
}
