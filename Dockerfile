# Vigil: one image for web (gunicorn), the Celery worker and Celery beat (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app
RUN useradd --system --create-home --uid 10001 vigil

# Dependencies first: this layer is rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .
# Static files are collected at build time (hashed names, compressed, served by WhiteNoise).
# The key below exists only for this build step; the running containers get SECRET_KEY.
RUN DEBUG=0 SECRET_KEY=build-only-collectstatic python manage.py collectstatic --noinput \
    && mkdir -p /app/var \
    && chown -R vigil:vigil /app/var

USER vigil
EXPOSE 8000
# soc/gunicorn.conf.py: bind, workers, timeout, and the access log that redacts query tokens.
CMD ["gunicorn", "-c", "soc/gunicorn.conf.py", "soc.wsgi:application"]
