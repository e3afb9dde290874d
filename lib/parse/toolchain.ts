// toolchain: which Debian packages an app's Procfile kinds need on this host, and the one line that refuses a
// push when one is missing (pure: the caller lists what the host has). Build tools (composer, bundle, ...)
// are checked by their builders, on the build's PATH.

/** The uwsgi plugin file each such kind loads, and the Debian package that ships it. */
export const KIND_PLUGINS: Readonly<Record<string, { file: string; pkg: string; what: string }>> = {
  php: { file: 'php_plugin.so', pkg: 'uwsgi-plugin-php', what: "uwsgi's php plugin" },
  rwsgi: { file: 'rack_plugin.so', pkg: 'uwsgi-plugin-rack-ruby3.1', what: "uwsgi's rack plugin" },
  // the jwsgi package depends on the jvm one, which ships the jvm plugin and its uwsgi.jar
  jwsgi: { file: 'jwsgi_plugin.so', pkg: 'uwsgi-plugin-jvm-openjdk-17 uwsgi-plugin-jwsgi-openjdk-17', what: "uwsgi's jvm and jwsgi plugins" },
}

export interface HostToolchain {
  pluginDir: string // where uwsgi looks for plugins (Debian: /usr/lib/uwsgi/plugins)
  plugins: Set<string> // the file names in it
  systemGems: Set<string> // Debian's packaged gems (/usr/share/rubygems-integration/all/gems: rack-2.2.22, ...)
}

/** One line naming the package to install, for the first kind whose toolchain is missing; else undefined.
 *  A rwsgi app without a Gemfile loads Debian's rack (ruby-rack); with one, Bundler provides it. */
export function missingToolchain(kinds: readonly string[], appFiles: Set<string>, host: HostToolchain): string | undefined {
  for (const kind of kinds) {
    const need = KIND_PLUGINS[kind]
    if (!need) continue
    if (!host.plugins.has(need.file)) {
      return `Procfile: "${kind}" needs ${need.what} (${host.pluginDir}/${need.file}), which this host does not have; install it as root: apt install ${need.pkg}`
    }
    if (kind === 'rwsgi' && !appFiles.has('Gemfile') && ![...host.systemGems].some((g) => /^rack-\d/.test(g))) {
      return 'Procfile: "rwsgi" without a Gemfile needs Debian\'s rack, which this host does not have; install it as root: apt install ruby-rack (or list rack in a Gemfile)'
    }
  }
  return undefined
}
