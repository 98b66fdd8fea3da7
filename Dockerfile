# Keel production image: gunicorn serving Django; the same image runs the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY . .
RUN DEBUG=0 SECRET_KEY=build-only python manage.py compile_translations \
 && DEBUG=0 SECRET_KEY=build-only python manage.py collectstatic --noinput -v 0 \
 && useradd --create-home keel && chown -R keel /app
USER keel

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
