// parse/toolchain: a push whose Procfile kinds need a uwsgi plugin (or Debian's rack) the host lacks is refused
// in one line naming the package to install.
import t from 'tap'
import { missingToolchain, KIND_PLUGINS, type HostToolchain } from '../../lib/parse/toolchain.js'

const full: HostToolchain = { pluginDir: '/usr/lib/uwsgi/plugins', plugins: new Set(['python3_plugin.so', 'php_plugin.so', 'rack_plugin.so']), systemGems: new Set(['rack-2.2.22', 'json-2.6.1']) }
const none: HostToolchain = { ...full, plugins: new Set(['python3_plugin.so']), systemGems: new Set() }
const files = (...f: string[]) => new Set(f)

t.test('missingToolchain: nothing missing on a host with the plugins, or for other kinds', async (t) => {
  t.equal(missingToolchain(['php', 'worker'], files('Procfile'), full), undefined)
  t.equal(missingToolchain(['rwsgi'], files('Procfile'), full), undefined)
  t.equal(missingToolchain(['rwsgi'], files('Procfile', 'Gemfile'), { ...full, systemGems: new Set() }), undefined, 'a Gemfile brings rack')
  t.equal(missingToolchain(['web', 'wsgi', 'worker', 'cron'], files(), none), undefined)
})

t.test('missingToolchain: one line naming the package', async (t) => {
  t.equal(
    missingToolchain(['php'], files(), none),
    'Procfile: "php" needs uwsgi\'s php plugin (/usr/lib/uwsgi/plugins/php_plugin.so), which this host does not have; install it as root: apt install uwsgi-plugin-php',
  )
  t.equal(
    missingToolchain(['worker', 'rwsgi'], files('Gemfile'), none),
    'Procfile: "rwsgi" needs uwsgi\'s rack plugin (/usr/lib/uwsgi/plugins/rack_plugin.so), which this host does not have; install it as root: apt install uwsgi-plugin-rack-ruby3.1',
  )
  t.equal(
    missingToolchain(['rwsgi'], files('config.ru'), { ...full, systemGems: new Set(['json-2.6.1', 'rackup-1.0']) }),
    'Procfile: "rwsgi" without a Gemfile needs Debian\'s rack, which this host does not have; install it as root: apt install ruby-rack (or list rack in a Gemfile)',
  )
  for (const line of [missingToolchain(['php'], files(), none), missingToolchain(['rwsgi'], files(), none)]) t.notMatch(line ?? '', /\n/)
  t.same(Object.keys(KIND_PLUGINS).sort(), ['jwsgi', 'php', 'rwsgi'])
})
