# Sourced by scripts/run and scripts/test: make this checkout runnable on a fresh
# Debian/Ubuntu machine. Idempotent and quick when nothing changed.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

ensure_debian_packages() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "== installing Debian packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "Missing system packages: ${missing[*]}. Install them with:" >&2
        echo "    sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
}

ensure_python_env() {
    local python="${PYTHON:-python3}"
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "eduwallet needs Python 3.11 or newer as '$python' (set PYTHON=... to choose one)." >&2
        exit 1
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        echo "== creating virtualenv in .venv"
        "$python" -m venv "$VENV"
    fi
    # Reinstall only when the dependency list changed.
    local stamp="$VENV/.eduwallet-installed"
    local wanted
    wanted="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
        echo "== installing eduwallet and its dependencies into .venv"
        "$VENV/bin/python" -m pip install -q --upgrade pip
        "$VENV/bin/python" -m pip install -q -e "$ROOT[dev]"
        echo "$wanted" >"$stamp"
    fi
}

ensure_npm_packages() {
    # Test oracles only (independent implementations the tests compare against): never
    # shipped. Without node and npm the interop tests skip and say why; the rest still runs.
    local dir="$ROOT/tests/interop/js"
    [ -f "$dir/package-lock.json" ] || return 0
    if ! command -v npm >/dev/null; then
        if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
            ensure_debian_packages nodejs npm
        else
            echo "== npm is missing: the interop tests against JavaScript libraries will skip" >&2
            return 0
        fi
    fi
    local stamp="$dir/node_modules/.eduwallet-installed"
    local wanted
    wanted="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
        echo "== installing the test oracles' npm packages"
        if (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --silent); then
            echo "$wanted" >"$stamp"
        else
            echo "== npm ci failed: the interop tests against JavaScript libraries will skip" >&2
        fi
    fi
}
