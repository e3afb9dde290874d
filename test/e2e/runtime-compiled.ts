// e2e/runtime-compiled: Go (go build), Ruby (bundler) and Rust (cargo build --release) apps pushed for real,
// each with no external dependencies; a second push with unchanged pinning files says "dependencies unchanged".
// A toolchain missing from /usr/bin (Debian's golang-go, ruby-bundler, cargo) skips its test, saying so.
import t, { type Test } from 'tap'
import { commitFiles, httpGet, makeApp, push, setupHost, type TestHost } from '../fixtures/host.js'
import { findTool } from '../../lib/deploy/runtime/build.js'

const user = 'phcomp'
const ports = { sshPort: 22244, httpPort: 28044, httpsPort: 28444 }
const hostPath = '/usr/local/bin:/usr/bin:/bin' // what the app user's builds see

const goMain = (tag: string) => `package main

import (
	"fmt"
	"net/http"
	"os"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "go ${tag} %s %s %s", os.Getenv("APP"), os.Getenv("PROC_TYPE"), os.Getenv("GREETING"))
	})
	http.ListenAndServe(os.Getenv("BIND_ADDRESS")+":"+os.Getenv("PORT"), nil)
}
`
const rubyServer = (tag: string) => `require "socket"
server = TCPServer.new(ENV.fetch("BIND_ADDRESS"), Integer(ENV.fetch("PORT")))
loop do
  client = server.accept
  while (line = client.gets) && line != "\\r\\n"; end
  body = "ruby ${tag} #{ENV["APP"]} #{ENV["PROC_TYPE"]} #{ENV["GEM_HOME"] ? "bundled" : "plain"}"
  client.write "HTTP/1.1 200 OK\\r\\nContent-Length: #{body.bytesize}\\r\\nConnection: close\\r\\n\\r\\n#{body}"
  client.close
end
`
const rustMain = (tag: string) => `use std::io::{Read, Write};
use std::net::TcpListener;

fn main() {
    let addr = format!("{}:{}", std::env::var("BIND_ADDRESS").unwrap(), std::env::var("PORT").unwrap());
    let listener = TcpListener::bind(addr).unwrap();
    for stream in listener.incoming() {
        let mut s = stream.unwrap();
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf);
        let body = format!("rust ${tag} {} {}", std::env::var("APP").unwrap_or_default(), std::env::var("PROC_TYPE").unwrap_or_default());
        let _ = write!(s, "HTTP/1.1 200 OK\\r\\nContent-Length: {}\\r\\nConnection: close\\r\\n\\r\\n{}", body.len(), body);
    }
}
`

function skipWithout(t: Test, tools: string[], pkg: string): boolean {
  const missing = tools.filter((x) => !findTool(x, hostPath))
  if (missing.length === 0) return false
  t.skip(`${missing.join(', ')} not in ${hostPath}: install Debian's ${pkg} (apt-get install -y ${pkg})`, () => {})
  return true
}

if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root: they create a user, start sshd and change nginx')
} else {
  let host: TestHost
  t.before(async () => {
    host = await setupHost(t, { user, ...ports })
  })

  t.test('runtime: go app is built with go build and its binary is on PATH', async (t) => {
    if (skipWithout(t, ['go'], 'golang-go')) return
    const dir = makeApp(t, {
      'go.mod': 'module example.com/hello\n\ngo 1.19\n',
      'main.go': goMain('one'),
      Procfile: 'web: hello\n',
      ENV: 'NGINX_SERVER_NAME=go.example.test\nGREETING=hi\n',
    })
    const r = await push(host, dir, 'goapp')
    t.equal(r.code, 0, r.stderr)
    t.match(r.stderr, /go app detected/)
    t.match(r.stderr, /downloading modules with go mod download/)
    t.match(r.stderr, /building with go build/)
    t.equal((await httpGet(host, 'go.example.test', '/')).body, 'go one goapp web hi')
    commitFiles(dir, { 'main.go': goMain('two') }, 'code only')
    const again = await push(host, dir, 'goapp')
    t.equal(again.code, 0, again.stderr)
    t.match(again.stderr, /dependencies unchanged/)
    t.notMatch(again.stderr, /go mod download/)
    t.equal((await httpGet(host, 'go.example.test', '/')).body, 'go two goapp web hi')
  })

  t.test('runtime: ruby app installs its bundle into a per-app path', async (t) => {
    if (skipWithout(t, ['ruby', 'bundle'], 'ruby-bundler')) return
    const dir = makeApp(t, {
      Gemfile: '# no gems: the test host cannot reach rubygems.org\n',
      'server.rb': rubyServer('one'),
      Procfile: 'web: bundle exec ruby server.rb\n',
      ENV: 'NGINX_SERVER_NAME=ruby.example.test\n',
    })
    const r = await push(host, dir, 'rubyapp')
    t.equal(r.code, 0, r.stderr)
    t.match(r.stderr, /ruby app detected/)
    t.match(r.stderr, /installing gems with bundle install/)
    t.equal((await httpGet(host, 'ruby.example.test', '/')).body, 'ruby one rubyapp web bundled')
    commitFiles(dir, { 'server.rb': rubyServer('two') }, 'code only')
    const again = await push(host, dir, 'rubyapp')
    t.equal(again.code, 0, again.stderr)
    t.match(again.stderr, /dependencies unchanged/)
    t.notMatch(again.stderr, /bundle install/)
    t.equal((await httpGet(host, 'ruby.example.test', '/')).body, 'ruby two rubyapp web bundled')
  })

  t.test('runtime: rust app is built with cargo build --release into the release', async (t) => {
    if (skipWithout(t, ['cargo', 'rustc'], 'cargo')) return
    const dir = makeApp(t, {
      'Cargo.toml': '[package]\nname = "hello"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n',
      'src/main.rs': rustMain('one'),
      Procfile: 'web: hello\n',
      ENV: 'NGINX_SERVER_NAME=rust.example.test\n',
    })
    const r = await push(host, dir, 'rustapp')
    t.equal(r.code, 0, r.stderr)
    t.match(r.stderr, /rust app detected/)
    t.match(r.stderr, /fetching crates with cargo fetch/)
    t.match(r.stderr, /building with cargo build --release/)
    t.equal((await httpGet(host, 'rust.example.test', '/')).body, 'rust one rustapp web')
    commitFiles(dir, { 'src/main.rs': rustMain('two') }, 'code only')
    const again = await push(host, dir, 'rustapp')
    t.equal(again.code, 0, again.stderr)
    t.match(again.stderr, /dependencies unchanged/)
    t.notMatch(again.stderr, /cargo fetch/)
    t.equal((await httpGet(host, 'rust.example.test', '/')).body, 'rust two rustapp web')
  })
}
