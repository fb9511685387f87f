#!/usr/bin/env bash
# Regenerates screenshots/*.png from the real binary: the console runs in tmux on the
# embedded simulator with a few allocations, each screen is captured with its colours
# (capture-pane -e) and rendered to PNG by render_png.py (pyte + Pillow, DejaVu Sans Mono).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

[ -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] || { apt-get update && apt-get install -y fonts-dejavu-core; }
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -c 'import pyte, PIL' 2>/dev/null || .venv/bin/pip install -q pyte pillow

swift build --product greenvn
bin="$root/.build/debug/greenvn"

home=$(mktemp -d /tmp/greenvn-shots.XXXXXX)
export GREENVN_HOME="$home/data" HOME="$home" XDG_CONFIG_HOME="$home/config"
unset EXOTEL_ACCOUNT_SID EXOTEL_API_KEY EXOTEL_API_TOKEN GREENVN_BASE_URL NO_COLOR
"$bin" allocate --a +919876543210 --a +919876500001 --b +918765432109 --usage twoway --region KA --type mobile --duration 2h --connection-id order-1042 >/dev/null 2>&1
"$bin" allocate --a +919812345678 --b +918123456789 --usage oneway --a-pin 4321 --duration 30m --connection-id delivery-77 >/dev/null 2>&1
"$bin" allocate --a +919900011122 --b +918800011122 --b +918800033344 --usage twoway --region MH --type landline --duration 3d --connection-id support-5 --flow-id flow-ivr >/dev/null 2>&1
id=$("$bin" list --json 2>/dev/null | grep -o '"greenvn_id":"[^"]*"' | tail -1 | cut -d'"' -f4)
"$bin" swap "$id" --region KA >/dev/null 2>&1 || true
# One released by an operator, for the vault: when and by whom.
gone=$("$bin" allocate --a +919811122233 --b +918711122233 --usage oneway --connection-id campaign-9 --json 2>/dev/null | grep -o '"greenvn_id":"[^"]*"' | cut -d'"' -f4)
GREENVN_OPERATOR=asha "$bin" deallocate "$gone" --yes >/dev/null 2>&1

sock="greenvn-shots-$$"
t() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() { t kill-server 2>/dev/null || true; rm -rf "$home"; }
trap cleanup EXIT
t new-session -d -s shots -x 120 -y 36 "env LANG=C.UTF-8 TERM=xterm-256color GREENVN_HOME=$GREENVN_HOME HOME=$HOME $bin"

# Waits until the screen shows $1 (the UI draws asynchronously).
wait_for() {
    for _ in $(seq 1 100); do
        t capture-pane -p -t shots | grep -qF -- "$1" && return 0
        sleep 0.1
    done
    echo "screenshots: never saw \"$1\"" >&2
    t capture-pane -p -t shots >&2
    exit 1
}

# shot NAME [COLUMNS ROWS]: the pane as it is now (120×36 unless said).
shot() {
    sleep 0.3
    t capture-pane -p -e -t shots > "$home/$1.ans"
    .venv/bin/python scripts/render_png.py "$home/$1.ans" "screenshots/$1.png" "${2:-120}" "${3:-36}"
    echo "screenshots/$1.png"
}

mkdir -p screenshots
wait_for "order-1042"
t send-keys -t shots j
shot list-detail

t send-keys -t shots n
wait_for "B-party"
t send-keys -t shots -l "98765 4321x"
t send-keys -t shots Tab
t send-keys -t shots -l "+919876543210"
sleep 0.3
shot form-validation
t send-keys -t shots Escape
sleep 0.3
t send-keys -t shots y
sleep 0.3

t send-keys -t shots j   # order-1042, made with KA · mobile: the dialog opens with them
t send-keys -t shots S
wait_for "KA Karnataka"
shot swap-preferences
t send-keys -t shots Escape
sleep 0.3

t send-keys -t shots "?"
wait_for "quit"
shot help
t send-keys -t shots Escape

# :settings: the account's settings read over the real call, Kit's rules beside each field.
t send-keys -t shots ":"
t send-keys -t shots -l "settings"
t send-keys -t shots Enter
wait_for "Account settings"
wait_for "call complete"
shot account-settings
t send-keys -t shots Escape
sleep 0.3

t send-keys -t shots 3
wait_for "released (deallocate)"
shot vault
t send-keys -t shots 1

# 80×24: the detail pane below the list, focused with Tab and scrolled a page.
t resize-window -t shots -x 80 -y 24
wait_for "more: Tab"
t send-keys -t shots Tab
t send-keys -t shots NPage
wait_for "greenvn_id"
shot detail-scrolled 80 24
t send-keys -t shots q
