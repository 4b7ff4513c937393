# Sourced by .ci/run: Debian's Chromium and its chromedriver for the dispatcher page's browser
# tests (tests/web), installed when missing. In CI (CI set) those tests fail without them;
# elsewhere they skip. Use it by hand too:  source .ci/chromium.sh && uv run pytest tests/web
set -euo pipefail

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  echo "Installing Chromium and chromedriver from Debian packages..."
  export DEBIAN_FRONTEND=noninteractive
  _dagrute_sudo=""
  if [ "$(id -u)" != 0 ]; then _dagrute_sudo="sudo"; fi
  $_dagrute_sudo apt-get update -qq
  $_dagrute_sudo apt-get install -y -qq chromium chromium-driver >/dev/null
  unset _dagrute_sudo
fi
echo "$(chromium --version 2>/dev/null | head -n 1) with $(chromedriver --version | awk '{print $1, $2}') for the browser tests."
