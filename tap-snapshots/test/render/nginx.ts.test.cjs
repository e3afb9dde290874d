/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/render/nginx.ts > TAP > renderNginxApp: cache on three prefixes > must match snapshot 1`] = `
# piku-hooks: app web-app, release v3 (generated; edit the app's ENV instead)
# one server for HTTP and HTTPS
# one flat folder (no levels): the user can delete what nginx wrote in it, so destroy cleans it
proxy_cache_path /home/piku/cache/web-app/nginx keys_zone=piku__piku__web_2dapp:10m inactive=86400s max_size=2g use_temp_path=off;
upstream piku__piku__web_2dapp {
    server 127.0.0.1:20001;
    server 127.0.0.1:20002;
}

server {
    listen 80;
    listen [::]:80;
    listen 443 ssl;
    listen [::]:443 ssl;
    server_name example.org www.example.org;
    ssl_certificate /home/piku/certs/web-app/live/fullchain.pem;
    ssl_certificate_key /home/piku/certs/web-app/live/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    client_max_body_size 100m;
    add_header X-Deployed-By piku-hooks;

    # lets a deploy see that nginx serves this file after a reload
    location = /.well-known/piku-hooks-release {
        default_type text/plain;
        return 200 "v3-abc123\\n";
    }

    location ^~ /.well-known/acme-challenge/ {
        alias /home/piku/acme/;
        default_type text/plain;
    }

    location ~ /\\.git {
        deny all;
    }

    # NGINX_CACHE_PREFIXES: each prefix matches itself and what lies below it, not /apix for /api
    location ~ ^/(api|static/img|v1\\.2)(/|$) {
        proxy_cache piku__piku__web_2dapp;
        proxy_cache_key $scheme$host$request_uri;
        proxy_cache_min_uses 1;
        proxy_cache_valid 200 301 302 304 600s;
        proxy_cache_lock on;
        proxy_cache_use_stale error timeout updating http_502 http_503 http_504;
        proxy_hide_header Cache-Control;
        add_header Cache-Control "public, max-age=300";
        add_header X-Cache $upstream_cache_status;
        add_header X-Deployed-By piku-hooks;
        proxy_pass http://piku__piku__web_2dapp;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Port $server_port;
        proxy_set_header X-Request-Start $msec;
        proxy_next_upstream error timeout http_502;
    }

    location / {
        proxy_pass http://piku__piku__web_2dapp;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Port $server_port;
        proxy_set_header X-Request-Start $msec;
        proxy_next_upstream error timeout http_502;
    }
}

`

exports[`test/render/nginx.ts > TAP > renderNginxApp: Cloudflare ACL, HTTPS only > must match snapshot 1`] = `
# piku-hooks: app web-app, release v3 (generated; edit the app's ENV instead)
# NGINX_HTTPS_ONLY: HTTP answers the ACME challenge and the release check, and redirects the rest
# NGINX_CLOUDFLARE_ACL: 1 for a connection from Cloudflare (ranges shipped with piku-hooks) or loopback
geo $realip_remote_addr $piku__piku__web_2dapp {
    default 0;
    127.0.0.1 1;
    ::1 1;
    173.245.48.0/20 1;
    103.21.244.0/22 1;
    103.22.200.0/22 1;
    103.31.4.0/22 1;
    141.101.64.0/18 1;
    108.162.192.0/18 1;
    190.93.240.0/20 1;
    188.114.96.0/20 1;
    197.234.240.0/22 1;
    198.41.128.0/17 1;
    162.158.0.0/15 1;
    104.16.0.0/13 1;
    104.24.0.0/14 1;
    172.64.0.0/13 1;
    131.0.72.0/22 1;
    2400:cb00::/32 1;
    2606:4700::/32 1;
    2803:f800::/32 1;
    2405:b500::/32 1;
    2405:8100::/32 1;
    2a06:98c0::/29 1;
    2c0f:f248::/32 1;
}
upstream piku__piku__web_2dapp {
    server 127.0.0.1:20001;
    server 127.0.0.1:20002;
}

server {
    listen 80;
    listen [::]:80;
    server_name example.org www.example.org;

    # NGINX_CLOUDFLARE_ACL: every location; the client address comes from CF-Connecting-IP only
    # when Cloudflare connected (the check uses the connection's own address)
    if ($piku__piku__web_2dapp = 0) {
        return 403;
    }
    set_real_ip_from 173.245.48.0/20;
    set_real_ip_from 103.21.244.0/22;
    set_real_ip_from 103.22.200.0/22;
    set_real_ip_from 103.31.4.0/22;
    set_real_ip_from 141.101.64.0/18;
    set_real_ip_from 108.162.192.0/18;
    set_real_ip_from 190.93.240.0/20;
    set_real_ip_from 188.114.96.0/20;
    set_real_ip_from 197.234.240.0/22;
    set_real_ip_from 198.41.128.0/17;
    set_real_ip_from 162.158.0.0/15;
    set_real_ip_from 104.16.0.0/13;
    set_real_ip_from 104.24.0.0/14;
    set_real_ip_from 172.64.0.0/13;
    set_real_ip_from 131.0.72.0/22;
    set_real_ip_from 2400:cb00::/32;
    set_real_ip_from 2606:4700::/32;
    set_real_ip_from 2803:f800::/32;
    set_real_ip_from 2405:b500::/32;
    set_real_ip_from 2405:8100::/32;
    set_real_ip_from 2a06:98c0::/29;
    set_real_ip_from 2c0f:f248::/32;
    real_ip_header CF-Connecting-IP;

    location = /.well-known/piku-hooks-release {
        default_type text/plain;
        return 200 "v3-abc123\\n";
    }

    location ^~ /.well-known/acme-challenge/ {
        alias /home/piku/acme/;
        default_type text/plain;
    }

    location / {
        return 301 https://$host$request_uri;
    }
}

server {
    listen 443 ssl;
    listen [::]:443 ssl;
    server_name example.org www.example.org;
    ssl_certificate /home/piku/certs/web-app/live/fullchain.pem;
    ssl_certificate_key /home/piku/certs/web-app/live/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    client_max_body_size 100m;
    add_header X-Deployed-By piku-hooks;

    # NGINX_CLOUDFLARE_ACL: every location; the client address comes from CF-Connecting-IP only
    # when Cloudflare connected (the check uses the connection's own address)
    if ($piku__piku__web_2dapp = 0) {
        return 403;
    }
    set_real_ip_from 173.245.48.0/20;
    set_real_ip_from 103.21.244.0/22;
    set_real_ip_from 103.22.200.0/22;
    set_real_ip_from 103.31.4.0/22;
    set_real_ip_from 141.101.64.0/18;
    set_real_ip_from 108.162.192.0/18;
    set_real_ip_from 190.93.240.0/20;
    set_real_ip_from 188.114.96.0/20;
    set_real_ip_from 197.234.240.0/22;
    set_real_ip_from 198.41.128.0/17;
    set_real_ip_from 162.158.0.0/15;
    set_real_ip_from 104.16.0.0/13;
    set_real_ip_from 104.24.0.0/14;
    set_real_ip_from 172.64.0.0/13;
    set_real_ip_from 131.0.72.0/22;
    set_real_ip_from 2400:cb00::/32;
    set_real_ip_from 2606:4700::/32;
    set_real_ip_from 2803:f800::/32;
    set_real_ip_from 2405:b500::/32;
    set_real_ip_from 2405:8100::/32;
    set_real_ip_from 2a06:98c0::/29;
    set_real_ip_from 2c0f:f248::/32;
    real_ip_header CF-Connecting-IP;

    # lets a deploy see that nginx serves this file after a reload
    location = /.well-known/piku-hooks-release {
        default_type text/plain;
        return 200 "v3-abc123\\n";
    }

    location ^~ /.well-known/acme-challenge/ {
        alias /home/piku/acme/;
        default_type text/plain;
    }

    location ~ /\\.git {
        deny all;
    }

    location / {
        proxy_pass http://piku__piku__web_2dapp;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Port $server_port;
        proxy_set_header X-Request-Start $msec;
        proxy_next_upstream error timeout http_502;
    }
}

`

exports[`test/render/nginx.ts > TAP > renderNginxApp: everything at once > must match snapshot 1`] = `
# piku-hooks: app web-app, release v3 (generated; edit the app's ENV instead)
# NGINX_HTTPS_ONLY: HTTP answers the ACME challenge and the release check, and redirects the rest
# one flat folder (no levels): the user can delete what nginx wrote in it, so destroy cleans it
proxy_cache_path /home/piku/cache/web-app/nginx keys_zone=piku__piku__web_2dapp:10m inactive=86400s max_size=2g use_temp_path=off;
# NGINX_CLOUDFLARE_ACL: 1 for a connection from Cloudflare (ranges shipped with piku-hooks) or loopback
geo $realip_remote_addr $piku__piku__web_2dapp {
    default 0;
    127.0.0.1 1;
    ::1 1;
    173.245.48.0/20 1;
    103.21.244.0/22 1;
    103.22.200.0/22 1;
    103.31.4.0/22 1;
    141.101.64.0/18 1;
    108.162.192.0/18 1;
    190.93.240.0/20 1;
    188.114.96.0/20 1;
    197.234.240.0/22 1;
    198.41.128.0/17 1;
    162.158.0.0/15 1;
    104.16.0.0/13 1;
    104.24.0.0/14 1;
    172.64.0.0/13 1;
    131.0.72.0/22 1;
    2400:cb00::/32 1;
    2606:4700::/32 1;
    2803:f800::/32 1;
    2405:b500::/32 1;
    2405:8100::/32 1;
    2a06:98c0::/29 1;
    2c0f:f248::/32 1;
}
upstream piku__piku__web_2dapp {
    server 127.0.0.1:20001;
    server 127.0.0.1:20002;
}

server {
    listen 80;
    listen [::]:80;
    server_name example.org www.example.org;

    # NGINX_CLOUDFLARE_ACL: every location; the client address comes from CF-Connecting-IP only
    # when Cloudflare connected (the check uses the connection's own address)
    if ($piku__piku__web_2dapp = 0) {
        return 403;
    }
    set_real_ip_from 173.245.48.0/20;
    set_real_ip_from 103.21.244.0/22;
    set_real_ip_from 103.22.200.0/22;
    set_real_ip_from 103.31.4.0/22;
    set_real_ip_from 141.101.64.0/18;
    set_real_ip_from 108.162.192.0/18;
    set_real_ip_from 190.93.240.0/20;
    set_real_ip_from 188.114.96.0/20;
    set_real_ip_from 197.234.240.0/22;
    set_real_ip_from 198.41.128.0/17;
    set_real_ip_from 162.158.0.0/15;
    set_real_ip_from 104.16.0.0/13;
    set_real_ip_from 104.24.0.0/14;
    set_real_ip_from 172.64.0.0/13;
    set_real_ip_from 131.0.72.0/22;
    set_real_ip_from 2400:cb00::/32;
    set_real_ip_from 2606:4700::/32;
    set_real_ip_from 2803:f800::/32;
    set_real_ip_from 2405:b500::/32;
    set_real_ip_from 2405:8100::/32;
    set_real_ip_from 2a06:98c0::/29;
    set_real_ip_from 2c0f:f248::/32;
    real_ip_header CF-Connecting-IP;

    location = /.well-known/piku-hooks-release {
        default_type text/plain;
        return 200 "v3-abc123\\n";
    }

    location ^~ /.well-known/acme-challenge/ {
        alias /home/piku/acme/;
        default_type text/plain;
    }

    location / {
        return 301 https://$host$request_uri;
    }
}

server {
    listen 443 ssl;
    listen [::]:443 ssl;
    server_name example.org www.example.org;
    ssl_certificate /home/piku/certs/web-app/live/fullchain.pem;
    ssl_certificate_key /home/piku/certs/web-app/live/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    client_max_body_size 100m;
    add_header X-Deployed-By piku-hooks;

    # NGINX_CLOUDFLARE_ACL: every location; the client address comes from CF-Connecting-IP only
    # when Cloudflare connected (the check uses the connection's own address)
    if ($piku__piku__web_2dapp = 0) {
        return 403;
    }
    set_real_ip_from 173.245.48.0/20;
    set_real_ip_from 103.21.244.0/22;
    set_real_ip_from 103.22.200.0/22;
    set_real_ip_from 103.31.4.0/22;
    set_real_ip_from 141.101.64.0/18;
    set_real_ip_from 108.162.192.0/18;
    set_real_ip_from 190.93.240.0/20;
    set_real_ip_from 188.114.96.0/20;
    set_real_ip_from 197.234.240.0/22;
    set_real_ip_from 198.41.128.0/17;
    set_real_ip_from 162.158.0.0/15;
    set_real_ip_from 104.16.0.0/13;
    set_real_ip_from 104.24.0.0/14;
    set_real_ip_from 172.64.0.0/13;
    set_real_ip_from 131.0.72.0/22;
    set_real_ip_from 2400:cb00::/32;
    set_real_ip_from 2606:4700::/32;
    set_real_ip_from 2803:f800::/32;
    set_real_ip_from 2405:b500::/32;
    set_real_ip_from 2405:8100::/32;
    set_real_ip_from 2a06:98c0::/29;
    set_real_ip_from 2c0f:f248::/32;
    real_ip_header CF-Connecting-IP;

    # lets a deploy see that nginx serves this file after a reload
    location = /.well-known/piku-hooks-release {
        default_type text/plain;
        return 200 "v3-abc123\\n";
    }

    location ^~ /.well-known/acme-challenge/ {
        alias /home/piku/acme/;
        default_type text/plain;
    }

    # NGINX_INCLUDE_FILE from the app, checked by nginx -t with the rest
    include /home/piku/apps/web-app/releases/v3/extra.conf;

    location ~ /\\.git {
        deny all;
    }

    location /assets/ {
        alias /home/piku/apps/web-app/releases/v3/public/;
        try_files $uri $uri.html $uri/ =404;
        sendfile on;
        tcp_nopush on;
    }

    # NGINX_CACHE_PREFIXES: each prefix matches itself and what lies below it, not /apix for /api
    location ~ ^/(api|static/img|v1\\.2)(/|$) {
        proxy_cache piku__piku__web_2dapp;
        proxy_cache_key $scheme$host$request_uri;
        proxy_cache_min_uses 1;
        proxy_cache_valid 200 301 302 304 600s;
        proxy_cache_lock on;
        proxy_cache_use_stale error timeout updating http_502 http_503 http_504;
        proxy_hide_header Cache-Control;
        add_header Cache-Control "public, max-age=300";
        add_header X-Cache $upstream_cache_status;
        add_header X-Deployed-By piku-hooks;
        proxy_pass http://piku__piku__web_2dapp;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Port $server_port;
        proxy_set_header X-Request-Start $msec;
        proxy_next_upstream error timeout http_502;
    }

    location / {
        proxy_pass http://piku__piku__web_2dapp;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Port $server_port;
        proxy_set_header X-Request-Start $msec;
        proxy_next_upstream error timeout http_502;
    }
}

`

exports[`test/render/nginx.ts > TAP > renderNginxApp: HTTPS only, default port > must match snapshot 1`] = `
# piku-hooks: app web-app, release v3 (generated; edit the app's ENV instead)
# NGINX_HTTPS_ONLY: HTTP answers the ACME challenge and the release check, and redirects the rest
upstream piku__piku__web_2dapp {
    server 127.0.0.1:20001;
    server 127.0.0.1:20002;
}

server {
    listen 80;
    listen [::]:80;
    server_name example.org www.example.org;

    location = /.well-known/piku-hooks-release {
        default_type text/plain;
        return 200 "v3-abc123\\n";
    }

    location ^~ /.well-known/acme-challenge/ {
        alias /home/piku/acme/;
        default_type text/plain;
    }

    location / {
        return 301 https://$host$request_uri;
    }
}

server {
    listen 443 ssl;
    listen [::]:443 ssl;
    server_name example.org www.example.org;
    ssl_certificate /home/piku/certs/web-app/live/fullchain.pem;
    ssl_certificate_key /home/piku/certs/web-app/live/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    client_max_body_size 100m;
    add_header X-Deployed-By piku-hooks;

    # lets a deploy see that nginx serves this file after a reload
    location = /.well-known/piku-hooks-release {
        default_type text/plain;
        return 200 "v3-abc123\\n";
    }

    location ^~ /.well-known/acme-challenge/ {
        alias /home/piku/acme/;
        default_type text/plain;
    }

    location ~ /\\.git {
        deny all;
    }

    location / {
        proxy_pass http://piku__piku__web_2dapp;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Port $server_port;
        proxy_set_header X-Request-Start $msec;
        proxy_next_upstream error timeout http_502;
    }
}

`

exports[`test/render/nginx.ts > TAP > renderNginxApp: HTTPS only, loopback on test ports > must match snapshot 1`] = `
# piku-hooks: app web-app, release v3 (generated; edit the app's ENV instead)
# NGINX_HTTPS_ONLY: HTTP answers the ACME challenge and the release check, and redirects the rest
upstream piku__piku__web_2dapp {
    server 127.0.0.1:20001;
    server 127.0.0.1:20002;
}

server {
    listen 127.0.0.1:28061;
    server_name example.org www.example.org;

    location = /.well-known/piku-hooks-release {
        default_type text/plain;
        return 200 "v3-abc123\\n";
    }

    location ^~ /.well-known/acme-challenge/ {
        alias /home/piku/acme/;
        default_type text/plain;
    }

    location / {
        return 301 https://$host:28461$request_uri;
    }
}

server {
    listen 127.0.0.1:28461 ssl;
    server_name example.org www.example.org;
    ssl_certificate /home/piku/certs/web-app/live/fullchain.pem;
    ssl_certificate_key /home/piku/certs/web-app/live/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    client_max_body_size 100m;
    add_header X-Deployed-By piku-hooks;

    # lets a deploy see that nginx serves this file after a reload
    location = /.well-known/piku-hooks-release {
        default_type text/plain;
        return 200 "v3-abc123\\n";
    }

    location ^~ /.well-known/acme-challenge/ {
        alias /home/piku/acme/;
        default_type text/plain;
    }

    location ~ /\\.git {
        deny all;
    }

    location / {
        proxy_pass http://piku__piku__web_2dapp;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Port $server_port;
        proxy_set_header X-Request-Start $msec;
        proxy_next_upstream error timeout http_502;
    }
}

`

exports[`test/render/nginx.ts > TAP > renderNginxApp: include file > must match snapshot 1`] = `
# piku-hooks: app web-app, release v3 (generated; edit the app's ENV instead)
# one server for HTTP and HTTPS
upstream piku__piku__web_2dapp {
    server 127.0.0.1:20001;
    server 127.0.0.1:20002;
}

server {
    listen 80;
    listen [::]:80;
    listen 443 ssl;
    listen [::]:443 ssl;
    server_name example.org www.example.org;
    ssl_certificate /home/piku/certs/web-app/live/fullchain.pem;
    ssl_certificate_key /home/piku/certs/web-app/live/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    client_max_body_size 100m;
    add_header X-Deployed-By piku-hooks;

    # lets a deploy see that nginx serves this file after a reload
    location = /.well-known/piku-hooks-release {
        default_type text/plain;
        return 200 "v3-abc123\\n";
    }

    location ^~ /.well-known/acme-challenge/ {
        alias /home/piku/acme/;
        default_type text/plain;
    }

    # NGINX_INCLUDE_FILE from the app, checked by nginx -t with the rest
    include /home/piku/apps/web-app/releases/v3/nginx/extra.conf;

    location ~ /\\.git {
        deny all;
    }

    location / {
        proxy_pass http://piku__piku__web_2dapp;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Port $server_port;
        proxy_set_header X-Request-Start $msec;
        proxy_next_upstream error timeout http_502;
    }
}

`

exports[`test/render/nginx.ts > TAP > renderNginxApp: IPv6 off > must match snapshot 1`] = `
# piku-hooks: app web-app, release v3 (generated; edit the app's ENV instead)
# one server for HTTP and HTTPS
upstream piku__piku__web_2dapp {
    server 127.0.0.1:20001;
    server 127.0.0.1:20002;
}

server {
    listen 80;
    listen 443 ssl;
    server_name example.org www.example.org;
    ssl_certificate /home/piku/certs/web-app/live/fullchain.pem;
    ssl_certificate_key /home/piku/certs/web-app/live/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    client_max_body_size 100m;
    add_header X-Deployed-By piku-hooks;

    # lets a deploy see that nginx serves this file after a reload
    location = /.well-known/piku-hooks-release {
        default_type text/plain;
        return 200 "v3-abc123\\n";
    }

    location ^~ /.well-known/acme-challenge/ {
        alias /home/piku/acme/;
        default_type text/plain;
    }

    location ~ /\\.git {
        deny all;
    }

    location / {
        proxy_pass http://piku__piku__web_2dapp;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Port $server_port;
        proxy_set_header X-Request-Start $msec;
        proxy_next_upstream error timeout http_502;
    }
}

`

exports[`test/render/nginx.ts > TAP > renderNginxApp: static paths beside the app, .git allowed > must match snapshot 1`] = `
# piku-hooks: app web-app, release v3 (generated; edit the app's ENV instead)
# one server for HTTP and HTTPS
upstream piku__piku__web_2dapp {
    server 127.0.0.1:20001;
    server 127.0.0.1:20002;
}

server {
    listen 80;
    listen [::]:80;
    listen 443 ssl;
    listen [::]:443 ssl;
    server_name example.org www.example.org;
    ssl_certificate /home/piku/certs/web-app/live/fullchain.pem;
    ssl_certificate_key /home/piku/certs/web-app/live/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    client_max_body_size 100m;
    add_header X-Deployed-By piku-hooks;

    # lets a deploy see that nginx serves this file after a reload
    location = /.well-known/piku-hooks-release {
        default_type text/plain;
        return 200 "v3-abc123\\n";
    }

    location ^~ /.well-known/acme-challenge/ {
        alias /home/piku/acme/;
        default_type text/plain;
    }

    location /assets/ {
        alias /home/piku/apps/web-app/releases/v3/public/assets/;
        try_files $uri $uri.html $uri/ =404;
        sendfile on;
        tcp_nopush on;
    }

    location /media/ {
        alias /home/piku/apps/web-app/releases/v3/media/;
        try_files $uri $uri.html $uri/ =404;
        sendfile on;
        tcp_nopush on;
    }

    location / {
        proxy_pass http://piku__piku__web_2dapp;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Port $server_port;
        proxy_set_header X-Request-Start $msec;
        proxy_next_upstream error timeout http_502;
    }
}

`

exports[`test/render/nginx.ts > TAP > renderNginxApp: static site, catch-all, no upstream > must match snapshot 1`] = `
# piku-hooks: app web-app, release v3 (generated; edit the app's ENV instead)
# one server for HTTP and HTTPS
server {
    listen 80;
    listen [::]:80;
    listen 443 ssl;
    listen [::]:443 ssl;
    server_name example.org www.example.org;
    ssl_certificate /home/piku/certs/web-app/live/fullchain.pem;
    ssl_certificate_key /home/piku/certs/web-app/live/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    client_max_body_size 100m;
    add_header X-Deployed-By piku-hooks;

    # lets a deploy see that nginx serves this file after a reload
    location = /.well-known/piku-hooks-release {
        default_type text/plain;
        return 200 "v3-abc123\\n";
    }

    location ^~ /.well-known/acme-challenge/ {
        alias /home/piku/acme/;
        default_type text/plain;
    }

    location ~ /\\.git {
        deny all;
    }

    location / {
        alias /home/piku/apps/web-app/releases/v3/public/;
        try_files $uri $uri.html $uri/ /index.html =404;
        sendfile on;
        tcp_nopush on;
    }
}

`

exports[`test/render/nginx.ts > TAP > renderNginxApp: web app, HTTP and HTTPS in one server > must match snapshot 1`] = `
# piku-hooks: app web-app, release v3 (generated; edit the app's ENV instead)
# one server for HTTP and HTTPS
upstream piku__piku__web_2dapp {
    server 127.0.0.1:20001;
    server 127.0.0.1:20002;
}

server {
    listen 80;
    listen [::]:80;
    listen 443 ssl;
    listen [::]:443 ssl;
    server_name example.org www.example.org;
    ssl_certificate /home/piku/certs/web-app/live/fullchain.pem;
    ssl_certificate_key /home/piku/certs/web-app/live/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    client_max_body_size 100m;
    add_header X-Deployed-By piku-hooks;

    # lets a deploy see that nginx serves this file after a reload
    location = /.well-known/piku-hooks-release {
        default_type text/plain;
        return 200 "v3-abc123\\n";
    }

    location ^~ /.well-known/acme-challenge/ {
        alias /home/piku/acme/;
        default_type text/plain;
    }

    location ~ /\\.git {
        deny all;
    }

    location / {
        proxy_pass http://piku__piku__web_2dapp;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Port $server_port;
        proxy_set_header X-Request-Start $msec;
        proxy_next_upstream error timeout http_502;
    }
}

`
