/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/render/host.ts > TAP > renderEmperorIni: vassal folder, scan every second, pidfile, capped log > must match snapshot 1`] = `
; piku-hooks: uwsgi emperor of user phtest, written by install.sh; it runs as that user, and so do its vassals
[uwsgi]
master = true
vacuum = true
emperor = /home/phtest/uwsgi/vassals
emperor-freq = 1
pidfile = /home/phtest/uwsgi/emperor.pid
chdir = /home/phtest
log-maxsize = 1048576
logto = /home/phtest/uwsgi/emperor.log
log-backupname = /home/phtest/uwsgi/emperor.log.old

`

exports[`test/render/host.ts > TAP > renderEmperorUnit: runs as the user, stops with SIGINT, restarts > must match snapshot 1`] = `
# piku-hooks: uwsgi emperor of user piku, written by install.sh
[Unit]
Description=piku-hooks uwsgi emperor for piku
After=network.target

[Service]
User=piku
Group=www-data
WorkingDirectory=/home/piku
Environment=HOME=/home/piku USER=piku LANG=C.UTF-8
ExecStart=/usr/bin/uwsgi --ini /home/piku/uwsgi/emperor.ini
KillSignal=SIGINT
Restart=always

[Install]
WantedBy=multi-user.target

`

exports[`test/render/host.ts > TAP > renderHostConf: a 404 default server and the include of the user's app files > all addresses 1`] = `
# piku-hooks: host server of user piku, written by install.sh.
# Unknown Host names on this user's HTTP port get 404; each app adds its own server blocks below.
server {
    listen 80 default_server;
    listen [::]:80 default_server;
    server_name _;
    return 404;
}

# Unknown names on this user's HTTPS port: the TLS handshake is refused, so no app's certificate or
# content is shown for a name it does not have.
server {
    listen 443 ssl default_server;
    listen [::]:443 ssl default_server;
    server_name _;
    ssl_reject_handshake on;
}

include /home/piku/nginx/*.conf;

`

exports[`test/render/host.ts > TAP > renderHostConf: a 404 default server and the include of the user's app files > loopback 1`] = `
# piku-hooks: host server of user phtest, written by install.sh.
# Unknown Host names on this user's HTTP port get 404; each app adds its own server blocks below.
server {
    listen 127.0.0.1:28081 default_server;
    server_name _;
    return 404;
}

# Unknown names on this user's HTTPS port: the TLS handshake is refused, so no app's certificate or
# content is shown for a name it does not have.
server {
    listen 127.0.0.1:28441 ssl default_server;
    server_name _;
    ssl_reject_handshake on;
}

include /home/phtest/nginx/*.conf;

`

exports[`test/render/host.ts > TAP > renderRenewVassal: a daily cron of the user's emperor, at a time fixed per user > must match snapshot 1`] = `
; piku-hooks: certificate renewal of user phtest, written by install.sh. Once a day this vassal of the
; user's emperor asks the CA for every certificate that is missing or due within 30 days: no crontab, no timer.
[uwsgi]
master = true
processes = 0
procname-prefix-spaced = piku-hooks-renew
chdir = /home/phtest
logto = /home/phtest/logs/.renew.log
log-maxsize = 1048576
umask = 027
unique-cron = 34 6 -1 -1 -1 /usr/bin/node /usr/local/lib/piku-hooks/dist/lib/acme-issue.js --due

`
