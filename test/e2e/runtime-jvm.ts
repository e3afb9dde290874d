// e2e/runtime-jvm: a Maven app, a Gradle app, a Leiningen app and a JWSGI app pushed for real on one host,
// each built offline against Debian's packaged jars through the app's OWN project settings (a Maven settings
// file named by .mvn/maven.config, project.clj's :repositories), as a real app would name Maven Central;
// each answers through nginx, and nothing of theirs listens beyond loopback. A Maven build that fails is
// refused with the compiler's error while the old release keeps serving; a deps.edn app on a host without
// the Clojure CLI is refused in one line. A toolchain missing from /usr/bin skips its test, saying so.
import t, { type Test } from 'tap'
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { commitFiles, httpGet, makeApp, push, setupHost, ssh, type TestHost } from '../fixtures/host.js'
import { findTool } from '../../lib/deploy/runtime/build.js'

const user = 'phrtj'
const ports = { sshPort: 22420, httpPort: 28220, httpsPort: 28620 }
const hostPath = '/usr/local/bin:/usr/bin:/bin' // what the app user's builds see

// --- the apps' own build settings: Debian's packaged repository, as a real app would name Maven Central
const offlineSettings = `<settings>
  <!-- this app builds offline against Debian's packaged repository (/usr/share/maven-repo) -->
  <profiles>
    <profile>
      <id>debian</id>
      <repositories>
        <repository><id>central</id><url>file:///usr/share/maven-repo</url>
          <releases><checksumPolicy>ignore</checksumPolicy></releases><snapshots><enabled>false</enabled></snapshots></repository>
      </repositories>
      <pluginRepositories>
        <pluginRepository><id>central</id><url>file:///usr/share/maven-repo</url>
          <releases><checksumPolicy>ignore</checksumPolicy></releases><snapshots><enabled>false</enabled></snapshots></pluginRepository>
      </pluginRepositories>
    </profile>
  </profiles>
  <activeProfiles><activeProfile>debian</activeProfile></activeProfiles>
</settings>
`
const pom = (mainClass?: string) => `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>app</artifactId>
  <version>1</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <build>
    <finalName>app</finalName>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-jar-plugin</artifactId>
        <version>3.3.0</version>
        ${mainClass ? `<configuration><archive><manifest><mainClass>${mainClass}</mainClass></manifest></archive></configuration>` : ''}
      </plugin>
    </plugins>
  </build>
</project>
`
const mavenFiles = {
  '.mvn/maven.config': '-s .mvn/offline-settings.xml\n',
  '.mvn/offline-settings.xml': offlineSettings,
}

// a tiny HTTP server on $BIND_ADDRESS:$PORT (com.sun.net.httpserver: no dependencies)
const javaServer = (tag: string) => `package app;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;

public class Main {
  public static void main(String[] args) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(System.getenv("BIND_ADDRESS"), Integer.parseInt(System.getenv("PORT"))), 0);
    server.createContext("/", ex -> {
      byte[] body = ("${tag} " + System.getenv("APP") + " " + System.getenv("PROC_TYPE") + " " + System.getenv("JAVA_TOOL_OPTIONS")).getBytes();
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
  }
}
`
const jwsgiApp = (tag: string) => `package com.example;

import java.util.HashMap;

public class Hello {
  public static Object[] application(HashMap<String, Object> env) {
    HashMap<String, String> headers = new HashMap<>();
    headers.put("Content-Type", "text/plain");
    String body = "jwsgi ${tag} " + env.get("PATH_INFO") + " " + System.getenv("APP") + " " + System.getenv("GREETING") + " " + System.getenv("JAVA_TOOL_OPTIONS");
    return new Object[] { 200, headers, body };
  }
}
`
const projectClj = `(defproject app "1.0.0"
  :description "a minimal Clojure web server"
  :dependencies [[org.clojure/clojure "1.11.1"]]
  :main app.core
  :aot [app.core]
  :uberjar-name "app.jar"
  ;; this app builds offline against Debian's packaged jars; a real app keeps lein's defaults (Clojars, Central)
  :repositories ^:replace [["debian" {:url "file:///usr/share/maven-repo" :checksum :ignore}]]
  :plugin-repositories ^:replace [["debian" {:url "file:///usr/share/maven-repo" :checksum :ignore}]])
`
const clojureServer = `(ns app.core
  (:gen-class)
  (:import (com.sun.net.httpserver HttpServer HttpHandler HttpExchange)
           (java.net InetSocketAddress)))

(defn -main [& _]
  (let [server (HttpServer/create (InetSocketAddress. (System/getenv "BIND_ADDRESS") (Integer/parseInt (System/getenv "PORT"))) 0)]
    (.createContext server "/"
      (reify HttpHandler
        (handle [_ ex]
          (let [body (.getBytes (str "clojure " (clojure-version) " " (System/getenv "APP")))]
            (.sendResponseHeaders ^HttpExchange ex 200 (count body))
            (with-open [o (.getResponseBody ^HttpExchange ex)] (.write o body))))))
    (.start server)))
`

function skipWithout(t: Test, tools: string[], pkg: string, files: string[] = []): boolean {
  const missing = [...tools.filter((x) => !findTool(x, hostPath)), ...files.filter((f) => !existsSync(f))]
  if (missing.length === 0) return false
  t.skip(`${missing.join(', ')} missing: install Debian's ${pkg} (apt-get install -y ${pkg})`, () => {})
  return true
}

/** The last lines of a push's output, for a failed assertion's message. */
const tail = (s: string, n = 15): string => s.trimEnd().split('\n').slice(-n).join('\n')

/** Listening sockets (TCP and UDP) of `uid`: `address:port` and the pids holding them. */
function listeningOf(uid: number): { address: string; pids: number[] }[] {
  const out = execFileSync('ss', ['-H', '-l', '-t', '-u', '-n', '-e', '-p'], { encoding: 'utf8' })
  return out
    .split('\n')
    .filter((l) => new RegExp(`\\buid:${uid}\\b`).test(l))
    .map((l) => ({ address: l.trim().split(/\s+/)[4], pids: [...l.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])) }))
}

if (process.getuid?.() !== 0) {
  t.plan(0, 'e2e tests run as root: they create a user, start sshd and change nginx')
} else {
  let host: TestHost
  t.before(async () => {
    host = await setupHost(t, { user, ...ports })
  })

  t.test('runtime: maven app is built with mvn -B package into its own repository, capped heap', async (t) => {
    if (skipWithout(t, ['mvn', 'javac'], 'maven openjdk-17-jdk-headless', ['/usr/share/maven-repo/org/apache/maven/plugins/maven-compiler-plugin'])) return
    const dir = makeApp(t, {
      ...mavenFiles,
      'pom.xml': pom('app.Main'),
      'src/main/java/app/Main.java': javaServer('maven one'),
      Procfile: 'web: java -jar target/app.jar\n',
      ENV: 'NGINX_SERVER_NAME=maven.example.test\nPIKU_MEMORY_MAX=128M\n',
    })
    const r = await push(host, dir, 'mvnapp')
    t.equal(r.code, 0, tail(r.stderr))
    t.match(r.stderr, /maven app detected/)
    t.match(r.stderr, /building with mvn -B --no-transfer-progress package -Dmaven\.repo\.local=\/home\/phrtj\/deps\/mvnapp\/maven-repo/)
    t.match(r.stderr, /Picked up JAVA_TOOL_OPTIONS: -XX:MaxRAM=\d+m/, "the build's JVM is told the memory the build has")
    t.equal((await httpGet(host, 'maven.example.test', '/')).body, 'maven one mvnapp web -Xmx96m', 'JAVA_TOOL_OPTIONS holds 75% of the 128M cap')
    t.ok(existsSync(`${host.home}/deps/mvnapp/maven-repo/org/apache/maven/plugins/maven-compiler-plugin`), 'plugins resolved into the app\'s own repository')
    t.notOk(existsSync(`${host.home}/.m2`), 'no shared ~/.m2')

    // a build that fails: refused with the compiler's error, and the old release keeps serving
    commitFiles(dir, { 'src/main/java/app/Main.java': javaServer('maven two').replace('server.start();', 'server.start()') }, 'broken')
    const bad = await push(host, dir, 'mvnapp')
    t.not(bad.code, 0, 'the push is refused')
    t.match(bad.stderr, /COMPILATION ERROR/)
    t.match(bad.stderr, /Main\.java:\[\d+,\d+\] ';' expected/, "javac's own message reaches the pusher")
    t.match(bad.stderr, /mvn package failed \(exit 1\); the running release is unchanged/)
    t.equal((await httpGet(host, 'maven.example.test', '/')).body, 'maven one mvnapp web -Xmx96m', 'the old release still serves')
  })

  t.test('runtime: gradle app is built with gradle build, then its committed ./gradlew; GRADLE_USER_HOME in its dependency cache', async (t) => {
    if (skipWithout(t, ['gradle', 'javac'], 'gradle openjdk-17-jdk-headless')) return
    const dir = makeApp(t, {
      'settings.gradle': "rootProject.name = 'app'\n",
      'build.gradle': "apply plugin: 'java'\nsourceCompatibility = 17\ntargetCompatibility = 17\njar {\n  archiveName = 'app.jar'\n  manifest { attributes 'Main-Class': 'app.Main' }\n}\n",
      'src/main/java/app/Main.java': javaServer('gradle one'),
      Procfile: 'web: java -jar build/libs/app.jar\n',
      ENV: 'NGINX_SERVER_NAME=gradle.example.test\n',
    })
    const r = await push(host, dir, 'gradleapp')
    t.equal(r.code, 0, tail(r.stderr))
    t.match(r.stderr, /gradle app detected/)
    t.match(r.stderr, /building with gradle build --no-daemon/)
    t.equal((await httpGet(host, 'gradle.example.test', '/')).body, 'gradle one gradleapp web null')
    t.ok(existsSync(`${host.home}/deps/gradleapp/gradle-home`), 'the app\'s own Gradle home')
    t.notOk(existsSync(`${host.home}/.gradle`), 'no shared ~/.gradle')

    // a committed wrapper is what builds then (this one hands over to Debian's Gradle: the host is offline)
    commitFiles(dir, { gradlew: '#!/bin/sh\necho "the project\'s wrapper: $*"\nexec gradle "$@"\n', 'src/main/java/app/Main.java': javaServer('gradle two') }, 'wrapper')
    const again = await push(host, dir, 'gradleapp')
    t.equal(again.code, 0, tail(again.stderr))
    t.match(again.stderr, /building with \.\/gradlew build --no-daemon/)
    t.match(again.stderr, /the project's wrapper: build --no-daemon/)
    t.equal((await httpGet(host, 'gradle.example.test', '/')).body, 'gradle two gradleapp web null')
  })

  t.test('runtime: leiningen app is built with lein uberjar, its repository in its dependency cache', async (t) => {
    if (skipWithout(t, ['lein', 'javac'], 'leiningen openjdk-17-jdk-headless', ['/usr/share/maven-repo/org/clojure/clojure/1.11.1'])) return
    const dir = makeApp(t, {
      'project.clj': projectClj,
      'src/app/core.clj': clojureServer,
      Procfile: 'web: java -jar target/app.jar\n',
      ENV: 'NGINX_SERVER_NAME=lein.example.test\n',
    })
    const r = await push(host, dir, 'leinapp')
    t.equal(r.code, 0, tail(r.stderr))
    t.match(r.stderr, /leiningen app detected/)
    t.match(r.stderr, /building with lein uberjar/)
    t.equal((await httpGet(host, 'lein.example.test', '/')).body, 'clojure 1.11.1 leinapp')
    t.ok(existsSync(`${host.home}/deps/leinapp/lein/.m2/repository/org/clojure/clojure/1.11.1`), 'clojure resolved into the app\'s own repository')
    t.notOk(existsSync(`${host.home}/.m2`) || existsSync(`${host.home}/.lein`), 'no shared ~/.m2 or ~/.lein')
  })

  t.test('runtime: jwsgi app runs in uwsgi\'s JVMs with the classpath of its Maven build, its env and a heap that fits its cap', async (t) => {
    const plugins = ['/usr/lib/uwsgi/plugins/jvm_plugin.so', '/usr/lib/uwsgi/plugins/jwsgi_plugin.so']
    if (skipWithout(t, ['mvn', 'javac'], 'maven openjdk-17-jdk-headless uwsgi-plugin-jvm-openjdk-17 uwsgi-plugin-jwsgi-openjdk-17', plugins)) return
    const dir = makeApp(t, {
      ...mavenFiles,
      'pom.xml': pom(),
      'src/main/java/com/example/Hello.java': jwsgiApp('one'),
      Procfile: 'jwsgi: com.example.Hello:application\n',
      // two JVMs (one per uwsgi process) share the instance's 256M cap: -Xmx96m each
      ENV: "NGINX_SERVER_NAME=jwsgi.example.test\nGREETING=it's $(not) %(expanded)\nUWSGI_PROCESSES=2\nPIKU_MEMORY_MAX=256M\n",
    })
    const r = await push(host, dir, 'jwsgiapp')
    t.equal(r.code, 0, tail(r.stderr))
    t.match(r.stderr, /jwsgi classpath: target\/app\.jar/)
    t.equal((await httpGet(host, 'jwsgi.example.test', '/hello')).body, "jwsgi one /hello jwsgiapp it's $(not) %(expanded) -Xmx96m")
    commitFiles(dir, { 'src/main/java/com/example/Hello.java': jwsgiApp('two') }, 'two')
    const again = await push(host, dir, 'jwsgiapp')
    t.equal(again.code, 0, tail(again.stderr))
    t.equal((await httpGet(host, 'jwsgi.example.test', '/x')).body, "jwsgi two /x jwsgiapp it's $(not) %(expanded) -Xmx96m")
    const ps = await ssh(host, ['ps', 'jwsgiapp'])
    t.match(ps.stdout, /^jwsgi\.1\s+pid \d+ .* ([3-9]|\d\d) processes/m, 'ps shows the jwsgi instance: its master and two JVM workers')
    t.notMatch(ps.stdout, /ORPHAN/)
  })

  t.test('runtime: a deps.edn app on a host without the Clojure CLI is refused in one line', async (t) => {
    if (findTool('clojure', hostPath)) return t.skip('this host has a clojure command', () => {})
    const dir = makeApp(t, { 'deps.edn': '{:paths ["src"]}\n', 'src/app/core.clj': clojureServer, Procfile: 'web: java -jar target/app.jar\n' })
    const r = await push(host, dir, 'depsapp')
    t.not(r.code, 0)
    const lines = r.stderr.split('\n').filter((l) => /deps\.edn needs the Clojure CLI/.test(l))
    t.equal(lines.length, 1, tail(r.stderr))
    t.match(lines[0], /install it from https:\/\/clojure\.org\/.*or add a project\.clj/)
  })

  t.test('runtime: no process of the JVM apps listens beyond loopback', async (t) => {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim())
    const sockets = listeningOf(uid)
    const addresses = sockets.map((x) => x.address)
    t.ok(addresses.length >= 4, `the four apps listen (${addresses.join(', ')})`)
    t.same(addresses.filter((a) => !/^(127\.\d+\.\d+\.\d+|\[::1\]|\[::ffff:127\.\d+\.\d+\.\d+\]):\d+$/.test(a)), [], 'every socket is on loopback')
    // where the host sandboxes apps, every JVM that listens (java -jar, uwsgi's jwsgi workers) runs in its app's
    // own pid namespace (bwrap --unshare-pid)
    const vassals = readdirSync(`${host.home}/uwsgi/vassals`).filter((f) => f.endsWith('.ini'))
    const sandboxed = vassals.some((f) => /^privileged-binary-patch-arg = .+\.sandbox\.sh$/m.test(readFileSync(`${host.home}/uwsgi/vassals/${f}`, 'utf8')))
    if (!sandboxed) return t.comment('this host runs apps without a sandbox: the namespace check is skipped')
    for (const pid of sockets.flatMap((x) => x.pids)) t.match(readFileSync(`/proc/${pid}/status`, 'utf8'), /^NSpid:\s+\d+\s+\d+/m, `listening process ${pid} runs in its app's sandbox`)
  })
}
