# piku-hooks rack loader: uwsgi's rack plugin requires this file (rbrequire) before it loads rack and the
# Procfile's rackup file for a `rwsgi:` worker. It loads the release's environment from a JSON file (values
# stay data: they never pass through uwsgi's config reader), moves into the release, and sets Bundler up when
# the app has a Gemfile, so rack and every gem come from the app's bundle.
require 'json'

spec = JSON.parse(File.read(ENV.fetch('PIKU_ENV_FILE')))
ENV.update(spec.fetch('env'))
Dir.chdir(spec.fetch('cwd'))
if ENV['BUNDLE_GEMFILE'] && File.exist?(ENV['BUNDLE_GEMFILE'])
  require 'bundler/setup'
end
