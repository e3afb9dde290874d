/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/render/uwsgi.ts > TAP > renderVassal: a cron vassal has one cron line per schedule > cron 1`] = `
[uwsgi]
# piku-hooks: demo release v3 cron.1 (generated)
master = true
procname-prefix-spaced = demo:cron.1
chdir = /home/piku/apps/demo/releases/v3
logto = /home/piku/logs/demo/cron.1.log
log-maxsize = 1048576
log-backupname = /home/piku/logs/demo/cron.1.log.old
log-master-stream = true
log-date = true
umask = 027
processes = 0
cron = -1 -1 -1 -1 -1 /run/c.sh
cron = 0 3 -1 -1 -1 /run/c.sh

`

exports[`test/render/uwsgi.ts > TAP > renderVassal: a wsgi vassal with every UWSGI_* setting and include lines last > wsgi 1`] = `
[uwsgi]
# piku-hooks: demo release v3 wsgi.1 (generated)
master = true
procname-prefix-spaced = demo:wsgi.1
chdir = /home/piku/apps/demo/releases/v3
logto = /home/piku/logs/demo/wsgi.1.log
log-maxsize = 200000
log-backupname = /home/piku/logs/demo/wsgi.1.log.old
log-master-stream = true
log-date = true
umask = 027
plugin = python3
http-socket = 127.0.0.1:24001
processes = 3
threads = 8
enable-threads = false
max-requests = 500
listen = 64
need-app = true
env = PIKU_ENV_FILE=/home/piku/apps/demo/run/v3-x/wsgi.1.json
wsgi-file = /usr/local/lib/piku-hooks/templates/uwsgi/wsgi-loader.py
idle = 600
cheap = true
buffer-size = 8192
harakiri = 30

`

exports[`test/render/uwsgi.ts > TAP > renderVassal: web and worker vassals run a launcher under attach-daemon2 > web 1`] = `
[uwsgi]
# piku-hooks: demo release v3 web.1 (generated)
master = true
procname-prefix-spaced = demo:web.1
chdir = /home/piku/apps/demo/releases/v3
logto = /home/piku/logs/demo/web.1.log
log-maxsize = 1048576
log-backupname = /home/piku/logs/demo/web.1.log.old
log-master-stream = true
log-date = true
umask = 027
processes = 0
attach-daemon2 = cmd=/home/piku/apps/demo/run/v3-x/web.1.sh,stopsignal=15,reloadsignal=15

`

exports[`test/render/uwsgi.ts > TAP > renderVassal: web and worker vassals run a launcher under attach-daemon2 > worker 1`] = `
[uwsgi]
# piku-hooks: demo release v3 worker.1 (generated)
master = true
procname-prefix-spaced = demo:worker.1
chdir = /home/piku/apps/demo/releases/v3
logto = /home/piku/logs/demo/worker.1.log
log-maxsize = 1048576
log-backupname = /home/piku/logs/demo/worker.1.log.old
log-master-stream = true
log-date = true
umask = 027
processes = 0
attach-daemon2 = cmd=/home/piku/apps/demo/run/v3-x/worker.1.sh,stopsignal=15,reloadsignal=15

`
