# Sourced by scripts/test: make sure a Chromium is there for the console's browser tests.
# Debian's package where apt is available (Playwright cannot download browsers here),
# else Playwright's own download; fails loudly rather than letting the tests skip.
CHROMIUM="${REPLYWATCH_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing Debian's chromium for the browser tests ..." >&2
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
    else
        echo "no $CHROMIUM: trying Playwright's own Chromium download ..." >&2
        .venv/bin/python -m playwright install chromium
        CHROMIUM="$(.venv/bin/python -c 'from playwright.sync_api import sync_playwright as p; s = p().start(); print(s.chromium.executable_path); s.stop()')"
    fi
fi
if [ ! -x "$CHROMIUM" ]; then
    echo "the browser tests need Chromium and none could be installed (set REPLYWATCH_CHROMIUM)" >&2
    exit 1
fi
export REPLYWATCH_CHROMIUM="$CHROMIUM"
