# Sourced by test.sh, tools/postgres-cluster.sh and deploy/run-local.sh.
# ensure_package WHAT PACKAGE CHECK...: runs the command CHECK; when it fails, installs the Debian PACKAGE with
# apt-get if we are root, or else says what to install (and ENSURE_PACKAGE_HINT, when set) and exits.
ensure_package() {
  local what=$1 package=$2
  shift 2
  "$@" && return
  if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
    echo "Installing $what (apt-get install $package)..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" > /dev/null
  else
    echo "This needs $what. Install it with 'sudo apt-get install $package'.${ENSURE_PACKAGE_HINT:+ $ENSURE_PACKAGE_HINT}" >&2
    exit 1
  fi
}
