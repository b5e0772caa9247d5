#!/bin/sh
# System packages dlexam needs beyond its Python dependencies; safe to run again.
#   bubblewrap (bwrap): isolates student code run by `dlexam grade-code` (dlexam/engines/sandbox*.py)
#   poppler-utils (pdftoppm): the tests look at `dlexam paper`'s pages as PNG
#   postgresql (Debian's, with libpq): the store's tests start a throw-away server as an unprivileged
#     user (tests/postgres_server.py); dlexam itself needs it only for DLEXAM_DATABASE_URL
#   util-linux (prlimit, setpriv, unshare, mount): resource limits, dropping to an unprivileged uid,
#     the sandbox's /tmp with an inode limit
#   libseccomp2: the sandbox's seccomp filter (built through the pyseccomp package)
#   chromium: the browser tests drive Debian's Chromium with Playwright (tests only)
#   redis-server: the queue's tests start a throw-away broker (tests only; DLEXAM_BROKER_URL in a deployment)
#   nodejs: the tests run the pieces drawing's geometry (dlexam/web/static/js/arrangement.js) in node (tests only)
# Installs with apt-get only when a command is missing and we are root; otherwise says what to do.
set -eu

need=""
command -v bwrap >/dev/null 2>&1 || need="$need bubblewrap"
command -v pdftoppm >/dev/null 2>&1 || need="$need poppler-utils"
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || command -v pg_ctl >/dev/null 2>&1 \
    || need="$need postgresql"
for tool in prlimit setpriv unshare mount; do
    command -v "$tool" >/dev/null 2>&1 || { need="$need util-linux"; break; }
done
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v redis-server >/dev/null 2>&1 || need="$need redis-server"
command -v node >/dev/null 2>&1 || need="$need nodejs"
if ! ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so\.2'; then
    need="$need libseccomp2"
fi

if [ -z "$need" ]; then
    echo "install-system-deps: nothing to do (bwrap $(bwrap --version 2>/dev/null | cut -d' ' -f2), prlimit, setpriv, unshare, mount, libseccomp, chromium, redis-server, node present)"
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-system-deps: missing:$need -- install them as root (Debian/Ubuntu: apt-get install -y$need)." >&2
    echo "install-system-deps: without bubblewrap the sandbox falls back to weaker isolation." >&2
    exit 0
fi
echo "install-system-deps: installing$need with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y -qq --no-install-recommends $need >/dev/null
echo "install-system-deps: installed$need (bwrap $(bwrap --version | cut -d' ' -f2))"
