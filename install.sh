#!/usr/bin/env bash
# install.sh: set up this machine as a piku-hooks host (Debian, Ubuntu, Raspberry Pi OS). Idempotent: a re-run
# upgrades the toolkit in /usr/local/lib/piku-hooks and keeps every app, repo, config and key.
# Usage: ./install.sh [--user NAME] [--http-port N] [--https-port N] [--key FILE.pub]... [--listen ADDR]...
#                    [--domain DOMAIN] [--acme-ca URL|letsencrypt|off] [--acme-email ADDR] [--acme-ca-bundle FILE.pem] [--no-build]
#                    [--toolkit DIR]   (where the toolkit goes; default /usr/local/lib/piku-hooks)
#                    [--with LIST]     (extra toolchains and services, comma-separated: php,ruby,java,clojure,postgres,redis)
set -euo pipefail

TOOLKIT=/usr/local/lib/piku-hooks
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "-----> $*"; }

user=piku http_port=80 https_port=443 domain='' build=1
keys=() listen=() acme_args=() with=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    --user|--http-port|--https-port|--key|--listen|--domain|--toolkit|--with)
      [ "$#" -ge 2 ] || die "$1: missing value"
      case "$1" in
        --with) IFS=, read -r -a more <<<"$2"; with+=("${more[@]}") ;;
        --toolkit) TOOLKIT=$2 ;;
        --user) user=$2 ;;
        --http-port) http_port=$2 ;;
        --https-port) https_port=$2 ;;
        --key) keys+=("$2") ;;
        --listen) listen+=("$2") ;;
        --domain) domain=$2 ;;
      esac
      shift 2 ;;
    --acme-ca|--acme-email|--acme-ca-bundle)
      [ "$#" -ge 2 ] || die "$1: missing value"
      acme_args+=("$1" "$2") # checked by host-setup
      shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
[[ "$user" =~ ^[a-z_][a-z0-9_-]{0,31}$ ]] || die "--user: invalid user name: $user"
if ! [[ "$TOOLKIT" =~ ^/[A-Za-z0-9._/-]+$ ]] || [[ "$TOOLKIT" == *..* ]]; then
  die "--toolkit: not an absolute path of letters, digits, . _ - /: $TOOLKIT"
fi
for p in "--http-port=$http_port" "--https-port=$https_port"; do
  v=${p#*=}
  if ! [[ "$v" =~ ^[0-9]{1,5}$ ]] || [ "$v" -lt 1 ] || [ "$v" -gt 65535 ]; then
    die "${p%%=*}: not a port number (1-65535): $v"
  fi
done
[ "$http_port" != "$https_port" ] || die "--http-port and --https-port are both $http_port"
for k in ${keys[@]+"${keys[@]}"}; do
  if ! [ -f "$k" ] || ! [ -r "$k" ]; then die "--key: no such readable file: $k"; fi
done

[ "$(id -u)" -eq 0 ] || die "must run as root (try: sudo ./install.sh)"
# shellcheck source=/dev/null
os=$(. /etc/os-release 2>/dev/null && echo "${ID:-} ${ID_LIKE:-}")
[[ " $os " =~ \ (debian|ubuntu|raspbian)\  ]] || die "unsupported system: ${os:-unknown} (Debian, Ubuntu or Raspberry Pi OS needed)"

# one install at a time: hosts with several users may run it side by side
exec 9>/run/piku-hooks.install.lock
flock -w 600 9 || die "another install.sh has held /run/piku-hooks.install.lock for 10 minutes"

# --- packages: only the missing ones, and no apt at all when none is missing
packages=(git nginx uwsgi uwsgi-plugin-python3 uwsgi-plugin-gevent-python3 uwsgi-plugin-asyncio-python3 python3-gevent python3-venv sudo openssh-server openssl acl bubblewrap)
command -v node >/dev/null || packages+=(nodejs npm)
# --with: what each extra adds (nothing big by default: a Pi has little disk)
for w in ${with[@]+"${with[@]}"}; do
  case "$w" in
    php) packages+=(uwsgi-plugin-php php-cli composer) ;;
    ruby) packages+=(uwsgi-plugin-rack-ruby3.1 ruby-rack ruby-bundler) ;;
    java) packages+=(openjdk-17-jdk-headless maven gradle uwsgi-plugin-jvm-openjdk-17 uwsgi-plugin-jwsgi-openjdk-17) ;;
    clojure) packages+=(openjdk-17-jdk-headless leiningen) ;;
    postgres) packages+=(postgresql postgresql-client) ;;
    redis) packages+=(redis-server) ;;
    *) die "--with: unknown extra: $w (php, ruby, java, clojure, postgres, redis)" ;;
  esac
done
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]}"
  # resolving Debian's mirror sometimes fails for a moment: retry a few times before giving up
  for attempt in 1 2 3 4; do
    if DEBIAN_FRONTEND=noninteractive apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; then break; fi
    [ "$attempt" -lt 4 ] || die "apt-get could not install ${missing[*]}"
    sleep $((attempt * 3))
  done
fi

# --- the toolkit: build from this checkout, then swap it into place
if [ "$build" = 1 ]; then
  if [ -d "$SRC/node_modules/typescript" ]; then
    say "building the toolkit (tsc, with the type check)"
    (cd "$SRC" && npm run --silent build)
  else
    # a host needs TypeScript alone, not the test toolchain: the version the lockfile pins, kept in
    # /var/cache/piku-hooks for the next run, transpiling file by file: ~105 MB with a 96 MB heap and no optimizing
    # compiler (--no-opt: Node 18's TurboFan, on TypeScript's one huge module, at times peaks at 1.2 GB and the OOM
    # killer ends a small host's install; the baseline compiler is enough here); tsc needs ~200 MB
    ts_version=$(node -p 'require(process.argv[1]).packages["node_modules/typescript"].version' "$SRC/package-lock.json")
    [[ "$ts_version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "package-lock.json pins no typescript version"
    tools=/var/cache/piku-hooks/typescript-$ts_version
    if ! [ -f "$tools/node_modules/typescript/package.json" ]; then
      say "fetching typescript $ts_version (to compile the toolkit; nothing else of the development tools)"
      rm -rf "$tools.new" && mkdir -p "$tools.new"
      npm install --prefix "$tools.new" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "typescript@$ts_version"
      rm -rf "$tools" && mv "$tools.new" "$tools"
    fi
    say "building the toolkit (typescript $ts_version, transpile only)"
    rm -rf "$SRC/dist"
    node --max-semi-space-size=1 --max-old-space-size=96 --no-opt "$SRC/bin/transpile.mjs" "$tools"
    node "$SRC/dist/lib/entries/stock-hashes.js" # the manifest, as npm run build ends: after the compiler's process is gone
  fi
fi
[ -f "$SRC/dist/lib/entries/host-setup.js" ] || die "$SRC/dist is not built (run without --no-build)"

say "installing the toolkit in $TOOLKIT"
staging=$(mktemp -d "$TOOLKIT.new.XXXXXX")
cp -a "$SRC/dist" "$SRC/templates" "$SRC/bin" "$SRC/package.json" "$SRC/package-lock.json" "$staging/"
lock_hash=$(sha256sum "$SRC/package-lock.json" | cut -d' ' -f1)
if [ -d "$TOOLKIT/node_modules" ] && [ "$(cat "$TOOLKIT/.package-lock.sha256" 2>/dev/null)" = "$lock_hash" ]; then
  cp -a "$TOOLKIT/node_modules" "$staging/"
else
  (cd "$staging" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
fi
echo "$lock_hash" >"$staging/.package-lock.sha256"
chown -R root:root "$staging"
chmod -R u+rwX,go+rX,go-w "$staging"
chmod 0755 "$staging"
if [ -d "$TOOLKIT" ] && diff -rq "$staging" "$TOOLKIT" >/dev/null 2>&1; then
  rm -rf "$staging" # unchanged: running hooks keep their files
elif [ -d "$TOOLKIT" ]; then
  old=$(mktemp -d "$TOOLKIT.old.XXXXXX")
  mv "$TOOLKIT" "$old/toolkit"
  mv "$staging" "$TOOLKIT"
  rm -rf "$old"
else
  mv "$staging" "$TOOLKIT"
fi

# --- the user and its layout (existing users and contents are left as they are)
if ! id -u "$user" >/dev/null 2>&1; then
  say "creating user $user"
  useradd --create-home --home-dir "/home/$user" --gid www-data --shell /bin/sh "$user"
  chmod 0750 "/home/$user"
fi
home=$(getent passwd "$user" | cut -d: -f6)
group=$(id -gn "$user")
for entry in repos:0750 apps:0750 config:0700 data:0700 cache:0700 deps:0750 logs:0700 run:0700 \
             uwsgi:0700 uwsgi/vassals:0700 nginx:0750 .ssh:0700 acme:0750 certs:0700 \
             hooks:0700 hooks/pre-receive.d:0700 hooks/post-receive.d:0700 verbs:0700; do
  dir="$home/${entry%%:*}"
  [ -d "$dir" ] || install -d -m "${entry##*:}" -o "$user" -g "$group" "$dir"
done

# --- keys: the given files, else the sudo user's authorized keys
if [ "${#keys[@]}" -eq 0 ] && [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
  sudo_home=$(getent passwd "$SUDO_USER" | cut -d: -f6)
  [ ! -s "$sudo_home/.ssh/authorized_keys" ] || keys=("$sudo_home/.ssh/authorized_keys")
fi
key_args=()
for k in ${keys[@]+"${keys[@]}"}; do key_args+=(--key "$k"); done
listen_args=()
for a in ${listen[@]+"${listen[@]}"}; do listen_args+=(--listen "$a"); done
domain_args=()
[ -z "$domain" ] || domain_args=(--domain "$domain")

# --- nginx: Debian's stock site is a default_server on port 80, which clashes with ours there
stock=/etc/nginx/sites-enabled/default
if [ "$http_port" = 80 ] && [ -L "$stock" ] && [ "$(readlink -f "$stock")" = /etc/nginx/sites-available/default ]; then
  rm "$stock"
  say "disabled Debian's default nginx site ($stock): piku-hooks answers on port 80 now"
fi

say "writing host settings for $user"
node "$TOOLKIT/dist/lib/entries/host-setup.js" --user "$user" --home "$home" --http-port "$http_port" --https-port "$https_port" \
  ${listen_args[@]+"${listen_args[@]}"} ${domain_args[@]+"${domain_args[@]}"} ${key_args[@]+"${key_args[@]}"} \
  ${acme_args[@]+"${acme_args[@]}"}

# --- databases (--with postgres, --with redis): PostgreSQL sized for this host, loopback only, a role for the user;
# each app's Redis runs as one of its instances, so Debian's own redis-server service is not wanted
has_with() { local w; for w in ${with[@]+"${with[@]}"}; do [ "$w" != "$1" ] || return 0; done; return 1; }
if has_with postgres; then
  say "setting up PostgreSQL for $user"
  node "$TOOLKIT/dist/lib/entries/database-setup.js" --user "$user" 9>&- # the cluster it starts must not hold the install lock
  [ ! -d /run/systemd/system ] || systemctl enable -q postgresql
fi
if has_with redis && [ -d /run/systemd/system ] && systemctl is-enabled -q redis-server 2>/dev/null; then
  systemctl disable -q --now redis-server
  say "disabled Debian's redis-server service: each app runs its own Redis (redis:create APP)"
fi

# every app's own git hooks and templates (repos/APP/hooks, repos/APP/templates): unedited copies follow this
# toolkit, edited ones are kept (and it says so, with the new stock version beside them); links become files
runuser -u "$user" -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$home" USER="$user" \
  node "$TOOLKIT/dist/lib/entries/repo-hooks.js"

# --- the sandbox each app runs in: an unprivileged bubblewrap sandbox must start as the user. Ubuntu 24.04
# restricts user namespaces through AppArmor until bubblewrap's profile (apparmor-profiles) is loaded.
# The system folders are recreated as the host has them (as lib/host/sandbox.ts does): on a merged-/usr host
# /lib64 too is a link, and without it no program finds its loader.
sandbox_starts() {
  local args=(--unshare-user --unshare-pid --ro-bind /usr /usr) p
  for p in /bin /sbin /lib /lib32 /lib64 /libx32; do
    if [ -L "$p" ]; then args+=(--symlink "$(readlink "$p")" "$p"); elif [ -d "$p" ]; then args+=(--ro-bind "$p" "$p"); fi
  done
  runuser -u "$user" -- /usr/bin/bwrap "${args[@]}" --proc /proc --dev /dev -- /bin/true 2>&1 >/dev/null | head -n 1
  return "${PIPESTATUS[0]}"
}
sandbox_note=""
if [ ! -x /usr/bin/bwrap ]; then
  sandbox_note="bubblewrap is not installed"
elif ! why=$(sandbox_starts); then
  profile=/etc/apparmor.d/bwrap-userns-restrict
  if [ -f "$profile" ] && command -v apparmor_parser >/dev/null 2>&1 && apparmor_parser -r "$profile" 2>/dev/null && why=$(sandbox_starts); then
    say "loaded bubblewrap's AppArmor profile ($profile): each app runs in its own sandbox"
  else
    sandbox_note="${why:-bwrap failed}"
  fi
else
  say "each app runs in its own bubblewrap sandbox"
fi
[ -z "$sandbox_note" ] || echo "warning: apps are NOT sandboxed on this host ($sandbox_note); SANDBOX=require in $home/host.env makes a push fail instead" >&2

# --- services
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable --now nginx "piku-hooks-emperor-$user.service"
  systemctl reload nginx
  boot_note="systemd starts nginx and piku-hooks-emperor-$user at boot"
else
  "$TOOLKIT/bin/piku-boot" "$user" 9>&- # the daemons it starts must not hold the install lock
  boot_note="no systemd here: run '$TOOLKIT/bin/piku-boot $user' as root at boot (e.g. from /etc/rc.local)"
fi

host=$(hostname -f 2>/dev/null || hostname)
[ "${#key_args[@]}" -gt 0 ] || echo "note: no key was authorized; run again with --key FILE.pub"
cat <<SUMMARY

piku-hooks is installed for user $user (home $home)
  http port $http_port, https port $https_port, listen ${listen[*]:-all addresses}${domain:+, domain $domain}
  $boot_note
Deploy from your machine:
  git remote add piku $user@$host:myapp
  git push piku main
SUMMARY
