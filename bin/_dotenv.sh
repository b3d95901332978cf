# Used by bin/demo: write the local demo's .env the first time, never over an existing one.
#   source bin/_dotenv.sh; dotenv_ensure .env .venv/bin/python
# The file holds DJANGO_DEBUG=1 and a random DJANGO_SECRET_KEY; backoffice/settings.py
# reads it when it exists (variables already in the environment win), so every
# `manage.py` command typed by hand runs as the demo does. Git, the image build
# (.dockerignore) and the test run (DJANGO_READ_DOT_ENV_FILE=0) all leave it out.
dotenv_ensure() {
    local file="$1" python="$2" key
    if [ -e "$file" ]; then
        return 0
    fi
    key="$("$python" -c 'import secrets; print(secrets.token_urlsafe(50))')"
    # noclobber: should the file appear meanwhile, it is kept and this write fails.
    (
        umask 077
        set -o noclobber
        {
            echo "# Written by bin/demo for the local demo; not for production (git-ignored)."
            echo "# Variables set in the environment win over these lines."
            echo "DJANGO_DEBUG=1"
            echo "DJANGO_SECRET_KEY=$key"
        } >"$file"
    )
    echo "Wrote $file (DJANGO_DEBUG=1 and a new secret key) for manage.py commands."
}
