# Shared by bin/demo and bin/test: install the Debian packages this machine lacks.
#   source bin/_packages.sh; packages_ensure chromium fonts-wqy-zenhei gettext
# A package counts as present when what it provides is there (the chromium command, a
# Chinese font known to fontconfig, GNU gettext's msgfmt), whoever installed it. The
# missing ones are installed with apt-get (sudo unless root). Returns 1, saying what is
# missing, on a machine without apt-get.
packages_ensure() {
    local package missing=()
    for package in "$@"; do
        case "$package" in
            chromium) command -v chromium >/dev/null 2>&1 || missing+=("$package") ;;
            gettext) command -v msgfmt >/dev/null 2>&1 || missing+=("$package") ;;
            fonts-wqy-zenhei) fc-list :lang=zh 2>/dev/null | grep -q . || missing+=("$package") ;;
            *) dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package") ;;
        esac
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "Missing, and no apt-get to install them: ${missing[*]}" >&2
        return 1
    fi
    local sudo=""
    if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
    echo "Installing ${missing[*]} (apt-get)..."
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}
