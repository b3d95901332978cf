# syntax=docker/dockerfile:1
# Backoffice image: one image for web (daphne), Celery worker, beat and migrations.
# Build:  docker build -t backoffice .
# Settings come from the environment at run time (see backoffice/settings.py).

# --- builder: wheels for every runtime dependency ------------------------------
FROM python:3.11-slim AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /build
COPY requirements/ requirements/
RUN pip wheel --wheel-dir /wheels -r requirements/prod.txt

# --- final: slim runtime, no compilers, non-root ---------------------------------
FROM python:3.11-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=backoffice.settings

# A fixed numeric uid/gid so Kubernetes' runAsNonRoot can verify it.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Install from the builder's wheels only; the bind mount keeps them out of every layer.
COPY requirements/ requirements/
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels -r requirements/prod.txt

# Code is owned by root and read-only for the app user.
COPY . .

# Static files are collected (hashed and compressed by WhiteNoise) at build time.
# Settings refuse to load without a secret when DEBUG is off, so collectstatic gets a
# throwaway key set for this one command only: not an ENV (so not in the image's
# environment) and not a build ARG (so nobody is tempted to pass a real one, which
# `docker history` would show).
RUN DJANGO_SECRET_KEY=collectstatic-build-only-not-a-real-secret-0123456789abcdef \
    python manage.py collectstatic --noinput --verbosity 0

USER 10001:10001

EXPOSE 8000

# Liveness only (/health/ touches nothing else). The Host header must pass ALLOWED_HOSTS,
# so use the first concrete entry of DJANGO_ALLOWED_HOSTS (a ".example.com" pattern
# accepts "example.com"); /health/ is exempt from the HTTPS redirect.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request as r; hosts = [h.strip().lstrip('.') for h in os.environ.get('DJANGO_ALLOWED_HOSTS', '').split(',') if h.strip() and '*' not in h]; r.urlopen(r.Request('http://127.0.0.1:8000/health/', headers={'Host': (hosts or ['localhost'])[0]}), timeout=4)"

CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "backoffice.asgi:application"]
