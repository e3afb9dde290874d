// parse/jvm: the JVM runtimes' plans: per-app caches (the project's own settings win), the jars of a build, the
// jwsgi entry point and classpath, and the heap a memory cap leaves a JVM.
import t from 'tap'
import {
  checkClasspathEntry,
  clojureCliMissing,
  parseJwsgiClasspath,
  parseJwsgiEntry,
  planClojureCli,
  planGradleCommand,
  planLeinEnv,
  planMavenArgs,
  selectJars,
  setsJavaHeap,
  withBuildJvmMemory,
  withJavaHeap,
} from '../../lib/parse/jvm.js'

const MiB = 1024 ** 2

t.test('planMavenArgs: batch mode package with the app\'s own repository, unless maven.config names one', async (t) => {
  t.same(planMavenArgs(undefined, '/d/maven-repo'), ['-B', '--no-transfer-progress', 'package', '-Dmaven.repo.local=/d/maven-repo'])
  t.same(planMavenArgs('-s .mvn/offline-settings.xml\n', '/d/maven-repo'), ['-B', '--no-transfer-progress', 'package', '-Dmaven.repo.local=/d/maven-repo'], 'a settings file is Maven\'s to read, never replaced')
  t.same(planMavenArgs('-T 2\n-Dmaven.repo.local=/srv/m2\n', '/d/maven-repo'), ['-B', '--no-transfer-progress', 'package'])
})

t.test('planGradleCommand: the committed wrapper through sh (its mode may be lost), else gradle; no daemon', async (t) => {
  t.same(planGradleCommand(true), ['/bin/sh', ['./gradlew', 'build', '--no-daemon']])
  t.same(planGradleCommand(false), ['gradle', ['build', '--no-daemon']])
})

t.test('planLeinEnv: LEIN_HOME and lein\'s user.home in the app\'s cache; the app\'s own values win', async (t) => {
  t.same(planLeinEnv({}, '/d/lein'), { LEIN_HOME: '/d/lein/.lein', LEIN_JVM_OPTS: '-XX:+TieredCompilation -XX:TieredStopAtLevel=1 -Duser.home=/d/lein' })
  t.same(planLeinEnv({ LEIN_HOME: '/srv/lein', LEIN_JVM_OPTS: '-Xmx300m' }, '/d/lein'), { LEIN_HOME: '/srv/lein', LEIN_JVM_OPTS: '-Xmx300m -Duser.home=/d/lein' })
  t.same(planLeinEnv({ LEIN_JVM_OPTS: '-Duser.home=/srv/h' }, '/d/lein').LEIN_JVM_OPTS, '-Duser.home=/srv/h')
  t.same(planLeinEnv({ LEIN_JVM_OPTS: '' }, '/d/lein').LEIN_JVM_OPTS, '-Duser.home=/d/lein')
})

t.test('planClojureCli: piku\'s -T:build release, with every cache in the app\'s', async (t) => {
  t.same(planClojureCli('/d/clojure'), {
    args: ['-Sdeps', '{:mvn/local-repo "/d/clojure/m2"}', '-T:build', 'release'],
    env: { CLJ_CONFIG: '/d/clojure/config', CLJ_CACHE: '/d/clojure/cache', GITLIBS: '/d/clojure/gitlibs' },
  })
  const line = clojureCliMissing('this host has no "clojure" command')
  t.notMatch(line, /\n/, 'one line')
  t.match(line, /deps\.edn needs the Clojure CLI.*this host has no "clojure" command.*add a project\.clj.*apt install leiningen/)
})

t.test('selectJars: jars only, without sources, javadoc or test jars, by name', async (t) => {
  t.same(selectJars(['b.jar', 'app-sources.jar', 'a.jar', 'app-javadoc.jar', 'app-tests.jar', 'classes', 'x.war']), ['a.jar', 'b.jar'])
})

t.test('parseJwsgiClasspath: paths inside the release, joined to it', async (t) => {
  t.same(parseJwsgiClasspath('target/app.jar:./lib/dep.jar: classes/ ', '/r'), { ok: true, value: ['/r/target/app.jar', '/r/lib/dep.jar', '/r/classes'] })
  t.same(parseJwsgiClasspath('.', '/r'), { ok: true, value: ['/r'] })
  t.match(parseJwsgiClasspath(' : ', '/r'), { ok: false, errors: [/is empty/] })
  t.match(parseJwsgiClasspath('/usr/share/java/x.jar', '/r'), { ok: false, errors: [/not a path inside the app/] })
  t.match(parseJwsgiClasspath('lib/../../x.jar', '/r'), { ok: false, errors: [/not a path inside the app/] })
  t.match(parseJwsgiClasspath('my lib.jar', '/r'), { ok: false, errors: [/characters a uwsgi vassal cannot carry/] })
})

t.test('checkClasspathEntry: a path a vassal can carry, or why not', async (t) => {
  t.equal(checkClasspathEntry('/r/target/app-1.0+b@x.jar'), undefined)
  t.match(checkClasspathEntry('/r/target/my app.jar'), /cannot carry.*JWSGI_CLASSPATH/)
})

t.test('parseJwsgiEntry: CLASS:METHOD with dots or slashes; the method defaults to application', async (t) => {
  t.same(parseJwsgiEntry('com.example.App:handle'), { ok: true, value: { className: 'com/example/App', method: 'handle', entry: 'com/example/App:handle' } })
  t.same(parseJwsgiEntry(' Hello '), { ok: true, value: { className: 'Hello', method: 'application', entry: 'Hello:application' } })
  t.same(parseJwsgiEntry('a/b/$C:_m1'), { ok: true, value: { className: 'a/b/$C', method: '_m1', entry: 'a/b/$C:_m1' } })
  for (const bad of ['java -jar app.jar', 'App:', ':m', 'a..b:m', '1App:m', 'App:m:n', 'App:$(x)'])
    t.match(parseJwsgiEntry(bad), { ok: false, errors: [/expected "jwsgi: CLASS:METHOD"/] }, bad)
})

t.test('withJavaHeap: -Xmx at 75% of the cap, shared by the JVMs of one instance; the app\'s own heap wins', async (t) => {
  t.equal(withJavaHeap(undefined, 128 * MiB), '-Xmx96m')
  t.equal(withJavaHeap('-Dfile.encoding=UTF-8', 256 * MiB, 2), '-Dfile.encoding=UTF-8 -Xmx96m')
  t.equal(withJavaHeap('', 8 * MiB, 4), '-Xmx8m', 'never below 8 MiB')
  t.equal(withJavaHeap(' -Xmx300m ', 128 * MiB), '-Xmx300m')
  t.equal(withJavaHeap('-XX:MaxRAMPercentage=50', 128 * MiB), '-XX:MaxRAMPercentage=50')
  t.equal(withJavaHeap('-Xss512k', 128 * MiB, 0), '-Xss512k -Xmx96m')
  t.ok(setsJavaHeap('-XX:MaxHeapSize=1g'))
  t.notOk(setsJavaHeap('-Xms64m -XX:+UseSerialGC'))
})

t.test('withBuildJvmMemory: a build\'s JVM is told the memory it has, unless the app sets a heap', async (t) => {
  t.equal(withBuildJvmMemory(undefined, 256 * MiB), '-XX:MaxRAM=256m')
  t.equal(withBuildJvmMemory('-Dfile.encoding=UTF-8', 1536 * MiB + 5), '-Dfile.encoding=UTF-8 -XX:MaxRAM=1536m')
  t.equal(withBuildJvmMemory('-Xmx300m', 256 * MiB), '-Xmx300m')
  t.equal(withBuildJvmMemory('', 32 * MiB), '', 'an odd figure is left alone')
  t.equal(withBuildJvmMemory(undefined, NaN), '')
})
