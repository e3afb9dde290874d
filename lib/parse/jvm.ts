// parse/jvm: the JVM runtimes' plans (pure): how Maven, Gradle, Leiningen and the Clojure CLI are called with
// a per-app cache under deps/APP (the project's own settings win), which jars of a build make a JWSGI worker's
// classpath, the `jwsgi: CLASS:METHOD` entry point, and the heap a memory cap leaves a JVM.
import { type Result, ok, fail } from '../errors.js'

/** The Debian packages each JVM toolchain comes from, for the one-line refusal when one is missing. */
export const JVM_PACKAGES = {
  maven: 'apt install maven openjdk-17-jdk-headless',
  gradle: 'apt install gradle openjdk-17-jdk-headless',
  leiningen: 'apt install leiningen openjdk-17-jdk-headless',
  java: 'apt install openjdk-17-jdk-headless',
} as const

/**
 * `mvn -B -ntp package` (batch mode, no download progress lines), with the app's own local repository under
 * its dependency cache unless the project's `.mvn/maven.config` (whose text is given) names one itself.
 * Everything else the project configures (`-s` settings, `.mvn/jvm.config`, profiles) is Maven's to read.
 */
export function planMavenArgs(mavenConfig: string | undefined, localRepo: string): string[] {
  const own = /(^|\s)-Dmaven\.repo\.local=/.test(mavenConfig ?? '')
  return ['-B', '--no-transfer-progress', 'package', ...(own ? [] : [`-Dmaven.repo.local=${localRepo}`])]
}

/** The committed wrapper (`./gradlew build`) when the project has one, else the host's `gradle build`; never a
 *  daemon left running after the push. */
export function planGradleCommand(hasWrapper: boolean): [string, string[]] {
  return hasWrapper ? ['/bin/sh', ['./gradlew', 'build', '--no-daemon']] : ['gradle', ['build', '--no-daemon']]
}

/** lein's own JVM options when the app sets none (what Debian's lein script would use). */
const LEIN_DEFAULT_JVM_OPTS = '-XX:+TieredCompilation -XX:TieredStopAtLevel=1'

/**
 * The environment of `lein uberjar`: LEIN_HOME under the app's cache, and lein's JVM told that home is there
 * too (`-Duser.home`), so its default local repository is `CACHE/.m2/repository`, not the user's `~/.m2`. A
 * project that names its own `:local-repo` or `:repositories` keeps them; the app's own LEIN_HOME and
 * LEIN_JVM_OPTS (from ENV) win, ours are added to theirs.
 */
export function planLeinEnv(env: Record<string, string>, cache: string): Record<string, string> {
  const opts = env.LEIN_JVM_OPTS ?? LEIN_DEFAULT_JVM_OPTS
  return {
    LEIN_HOME: env.LEIN_HOME || `${cache}/.lein`,
    LEIN_JVM_OPTS: /-Duser\.home=/.test(opts) ? opts : `${opts} -Duser.home=${cache}`.trim(),
  }
}

/** `clojure -T:build release` (piku's command) with its Maven local repository, config and caches in the app's. */
export function planClojureCli(cache: string): { args: string[]; env: Record<string, string> } {
  return {
    args: ['-Sdeps', `{:mvn/local-repo "${cache}/m2"}`, '-T:build', 'release'],
    env: { CLJ_CONFIG: `${cache}/config`, CLJ_CACHE: `${cache}/cache`, GITLIBS: `${cache}/gitlibs` },
  }
}

/** The one line a deps.edn app gets on a host without the Clojure CLI. */
export function clojureCliMissing(why: string): string {
  return `deps.edn needs the Clojure CLI with tools.build ("clojure -T:build release"), and ${why}: Debian does not package it; install it from https://clojure.org/guides/install_clojure, or add a project.clj to build with Leiningen (apt install leiningen openjdk-17-jdk-headless); the running release is unchanged`
}

/** The folders (relative to the release) whose jars a JVM build leaves, per runtime, in classpath order. */
export const JAR_FOLDERS: Readonly<Record<string, string[]>> = {
  maven: ['target', 'target/dependency', 'target/lib'],
  gradle: ['build/libs', 'build/dependency', 'build/lib'],
  leiningen: ['target', 'target/uberjar'],
  clojure: ['target'],
}

/** A build's class folders, used when it left no jar. */
export const CLASS_FOLDERS: Readonly<Record<string, string>> = {
  maven: 'target/classes',
  gradle: 'build/classes/java/main',
  leiningen: 'target/classes',
  clojure: 'target/classes',
}

/** The jars of one folder listing that belong on a classpath: not sources, javadoc or test jars; by name. */
export function selectJars(names: string[]): string[] {
  return names.filter((n) => n.endsWith('.jar') && !/-(sources|javadoc|tests|test-sources)\.jar$/.test(n)).sort()
}

// a classpath entry we write into a vassal: a plain path, no spaces, no separators uwsgi or the JVM would split
const SAFE_PATH = /^\/[A-Za-z0-9._+@/-]*$/

/**
 * JWSGI_CLASSPATH: the app's own classpath, `:`-separated paths inside the release (jars or class folders),
 * replacing the one taken from its build. Absolute paths, `..` and characters a vassal cannot carry are refused.
 */
export function parseJwsgiClasspath(value: string, dir: string): Result<string[]> {
  const entries = value.split(':').map((e) => e.trim()).filter(Boolean)
  if (!entries.length) return fail('JWSGI_CLASSPATH is empty: give paths inside the app, such as target/app.jar:target/lib/dep.jar')
  const out: string[] = []
  for (const e of entries) {
    if (e.startsWith('/') || e.split('/').includes('..')) return fail(`JWSGI_CLASSPATH: "${e}" is not a path inside the app; give it relative to the app, such as target/app.jar`)
    const rel = e.replace(/^(\.\/)+/, '').replace(/\/+$/, '')
    const abs = rel === '' || rel === '.' ? dir : `${dir}/${rel}`
    if (!SAFE_PATH.test(abs)) return fail(`JWSGI_CLASSPATH: "${e}" has characters a uwsgi vassal cannot carry (use letters, digits, . _ + @ / -)`)
    out.push(abs)
  }
  return ok(out)
}

/** A classpath entry found on disk that a vassal can carry, or the reason it cannot. */
export function checkClasspathEntry(path: string): string | undefined {
  return SAFE_PATH.test(path) ? undefined : `the build left ${JSON.stringify(path)}, whose name a uwsgi vassal cannot carry (use letters, digits, . _ + @ / -); rename it or set JWSGI_CLASSPATH`
}

const JAVA_NAME = '[A-Za-z_$][A-Za-z0-9_$]*'
const JWSGI_ENTRY = new RegExp(`^(${JAVA_NAME}(?:[./]${JAVA_NAME})*)(?::(${JAVA_NAME}))?$`)

/**
 * A `jwsgi:` command: `CLASS:METHOD` (the method defaults to `application`, as uwsgi's), the class with dots
 * or slashes. uwsgi's JNI lookup takes slashes only, so `com.example.App` becomes `com/example/App`.
 */
export function parseJwsgiEntry(command: string): Result<{ className: string; method: string; entry: string }> {
  const m = JWSGI_ENTRY.exec(command.trim())
  if (!m) return fail(`expected "jwsgi: CLASS:METHOD", such as "jwsgi: com.example.App:application", got ${JSON.stringify(command)}`)
  const className = m[1].replace(/\./g, '/')
  const method = m[2] ?? 'application'
  return ok({ className, method, entry: `${className}:${method}` })
}

/** The app sets its own heap (or a fraction of the machine) in these options already. */
export function setsJavaHeap(options: string): boolean {
  return /(^|\s)(-Xmx\S|-XX:MaxHeapSize=|-XX:MaxRAMPercentage=|-XX:MaxRAMFraction=|-XX:MaxRAM=)/.test(options)
}

/**
 * JAVA_TOOL_OPTIONS with a heap (-Xmx, MiB) of 75% of a memory cap shared by `jvms` JVMs (a jwsgi vassal runs
 * one per process), unless the app already sets one; every JVM of the instance reads it, `java -jar` and uwsgi's
 * embedded JVM alike. A `-Xmx` on the Procfile command line still wins (it comes after).
 */
export function withJavaHeap(javaToolOptions: string | undefined, bytes: number, jvms = 1): string {
  const current = (javaToolOptions ?? '').trim()
  if (setsJavaHeap(current)) return current
  const mb = Math.max(8, Math.floor((bytes * 0.75) / Math.max(1, jvms) / 1024 ** 2))
  return [current, `-Xmx${mb}m`].filter(Boolean).join(' ')
}

/**
 * JAVA_TOOL_OPTIONS for a JVM build: `-XX:MaxRAM` set to the memory the build really has (the RAM or the cgroup
 * above the push, whichever is smaller), so the JVM's own heap sizing works as it would outside the sandbox,
 * which hides the cgroup files (/sys) it reads; nothing when the app's options set a heap or the figure is odd.
 */
export function withBuildJvmMemory(javaToolOptions: string | undefined, memoryBytes: number): string {
  const current = (javaToolOptions ?? '').trim()
  if (setsJavaHeap(current) || !Number.isFinite(memoryBytes) || memoryBytes < 64 * 1024 ** 2) return current
  return [current, `-XX:MaxRAM=${Math.floor(memoryBytes / 1024 ** 2)}m`].filter(Boolean).join(' ')
}
