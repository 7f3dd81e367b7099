#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds and installs ticky-reportd, and serves its pages with nginx.
#   With systemd as PID 1: enables and starts ticky-reportd.service, and adds
#   the reports to nginx's default site (http://localhost/).
#   Without (a container, a chroot): nginx on http://127.0.0.1:8080/ and the
#   daemon in the foreground; Ctrl-C stops both.
# Run as root on Debian, from anywhere in the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
        echo "systemd/setup.sh: run as root" >&2
        exit 1
fi

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        cmake gcc make pkg-config libc6-dev libsystemd-dev libinih-dev zlib1g-dev systemd acl nginx procps
cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc)"
cmake --install build

prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' build/CMakeCache.txt)
snippet="$prefix/share/ticky-reportd/nginx/ticky-reportd.conf"

if [[ -d /run/systemd/system ]]; then
        site=/etc/nginx/sites-available/default
        if ! grep -q "ticky-reportd.conf" "$site"; then
                # Into the first server block, after its server_name.
                sed -i "0,/^\s*server_name _;/s||&\n\tinclude $snippet;|" "$site"
        fi
        nginx -t
        systemctl reload-or-restart nginx
        systemctl daemon-reload
        systemctl enable --now ticky-reportd
        systemctl --no-pager status ticky-reportd || true
        echo "Reports: http://localhost/  (journalctl -u ticky-reportd for its log)"
        exit 0
fi

# No systemd: a private nginx on loopback, stopped when the daemon stops.
run=$(mktemp -d /tmp/ticky-reportd-nginx.XXXXXX)
cat >"$run/nginx.conf" <<CONF
worker_processes 1;
pid $run/nginx.pid;
error_log $run/error.log;
events {}
http {
        access_log off;
        client_body_temp_path $run;
        proxy_temp_path $run;
        fastcgi_temp_path $run;
        uwsgi_temp_path $run;
        scgi_temp_path $run;
        server {
                listen 127.0.0.1:8080;
                include $snippet;
        }
}
CONF
nginx -c "$run/nginx.conf"
trap 'kill "$(cat "$run/nginx.pid")" 2>/dev/null; rm -rf "$run"' EXIT
echo "Reports: http://127.0.0.1:8080/  (no systemd here: the daemon runs in the foreground; Ctrl-C stops it)"
"$prefix/bin/ticky-reportd"
